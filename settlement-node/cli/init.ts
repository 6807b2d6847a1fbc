/**
 * `bitlayer-settlement init`: keys (one per validator and per prefunded
 * account, mode 0600), one shared genesis, and one config per validator with
 * its ports and its peers' public keys.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { toHex } from "../../shared/bytes.ts";
import { generateKeyPair, type KeyPair } from "../../shared/crypto/index.ts";
import type { NodeConfigJson } from "../config/config.ts";
import { accountAddressOf, type GenesisJson, parseGenesis } from "../ledger/index.ts";

export type InitOptions = {
  dir: string;
  validators: number;
  accounts: number;
  chainId: string;
  host: string;
  p2pPorts: number[];
  apiPorts: number[];
  database: "pglite" | "postgres" | "none";
  /** Postgres schema prefix; validator i gets `${prefix}_v${i}`. */
  schemaPrefix: string;
  consensus: Partial<NonNullable<NodeConfigJson["consensus"]>>;
  /** Per-client API requests per second; 0 = no limit (local tools and tests that poll). */
  apiRateLimitPerSecond?: number;
};

const STAKE = 1_000_000n;
const BALANCE = 1_000_000_000n;

export const DEFAULT_PARAMS = {
  txFeeMin: "1",
  feeShareValidatorsBps: 5000,
  treasury: "",
  rewardPerBlockInitial: "10",
  rewardHalvingIntervalBlocks: "1000000",
  bondMin: "1000",
  validatorsMax: 100,
  unbondingPeriodBlocks: "2000",
  slashFractionDoubleSignBps: 500,
  evidenceRewardBps: 1000,
  evidenceAgeBlocksMax: "500",
  // Generous downtime rules: a validator restarting after a crash must not be jailed for it.
  signedBlocksWindow: 10_000,
  missedBlocksMax: 9_000,
  jailDurationBlocks: "100",
  maintenanceBlocksMax: "1000",
  laneBondMin: "1000",
  challengeWindowBlocksMin: "10",
  challengeWindowBlocksMax: "1000",
  batchDataBytesMax: 131_072,
} satisfies GenesisJson["params"];

function writeSecret(file: string, content: string): void {
  fs.writeFileSync(file, content, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

function keyFile(k: KeyPair): string {
  return `${JSON.stringify({ publicKey: toHex(k.publicKey), secretKey: toHex(k.secretKey) }, null, 2)}\n`;
}

export type InitResult = { genesisFile: string; configFiles: string[]; accountKeyFiles: string[] };

export function init(o: InitOptions): InitResult {
  const dir = path.resolve(o.dir);
  fs.mkdirSync(path.join(dir, "keys"), { recursive: true, mode: 0o700 });
  const validators = Array.from({ length: o.validators }, () =>
    generateKeyPair(new Uint8Array(randomBytes(32))),
  );
  const accounts = Array.from({ length: o.accounts }, () => generateKeyPair(new Uint8Array(randomBytes(32))));
  const treasury = generateKeyPair(new Uint8Array(randomBytes(32)));
  const genesis: GenesisJson = {
    chainId: o.chainId,
    genesisTimeMs: String(Date.now()),
    validators: validators.map((v) => ({ publicKey: toHex(v.publicKey), stake: String(STAKE) })),
    // Validators' own accounts are funded too: they pay the fees of the double-sign reports they file.
    accounts: [...accounts, ...validators].map((a) => ({
      address: toHex(accountAddressOf(a.publicKey)),
      balance: String(BALANCE),
    })),
    params: { ...DEFAULT_PARAMS, treasury: toHex(accountAddressOf(treasury.publicKey)) },
  };
  parseGenesis(genesis);
  const genesisFile = path.join(dir, "genesis.json");
  fs.writeFileSync(genesisFile, `${JSON.stringify(genesis, null, 2)}\n`);
  const accountKeyFiles = accounts.map((a, i) => {
    const file = path.join(dir, "keys", `account-${i}.json`);
    writeSecret(file, keyFile(a));
    return file;
  });
  writeSecret(path.join(dir, "keys", "treasury.json"), keyFile(treasury));
  const configFiles = validators.map((v, i) => {
    const moniker = `validator-${i}`;
    writeSecret(path.join(dir, "keys", `${moniker}.json`), keyFile(v));
    const nodeDir = path.join(dir, moniker);
    fs.mkdirSync(nodeDir, { recursive: true });
    const config: NodeConfigJson = {
      moniker,
      dataDir: "data",
      genesisFile: "../genesis.json",
      keyFile: `../keys/${moniker}.json`,
      p2p: { host: o.host, port: o.p2pPorts[i]! },
      api: { host: o.host, port: o.apiPorts[i]!, rateLimitPerSecond: o.apiRateLimitPerSecond ?? 50 },
      peers: validators.flatMap((p, j) =>
        j === i
          ? []
          : [
              {
                moniker: `validator-${j}`,
                publicKey: toHex(p.publicKey),
                host: o.host,
                port: o.p2pPorts[j]!,
              },
            ],
      ),
      database:
        o.database === "postgres"
          ? { kind: "postgres", urlEnv: "DATABASE_URL", schema: `${o.schemaPrefix}_v${i}` }
          : { kind: o.database },
      consensus: o.consensus,
    };
    const file = path.join(nodeDir, "config.json");
    fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
    return file;
  });
  return { genesisFile, configFiles, accountKeyFiles };
}
