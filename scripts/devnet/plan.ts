/**
 * What the devnet is made of (paths, ports, keys, genesis edits) and the one
 * settlement transaction it sends (openLane). Keys of lane accounts and of
 * the lane's poster come from wrangler.toml's vars, derived exactly as the
 * Worker derives them, so the devnet can fund them on settlement.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  encodeSettlementTx,
  settlementTxSignBytes,
  type SettlementTxBody,
} from "../../settlement-node/ledger/tx.ts";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { addressFromPublicKey, formatAddress } from "../../shared/crypto/address.ts";
import { publicKeyFromSecret, sign } from "../../shared/crypto/keys.ts";
import { LaneExecutor } from "../../shared/lane/index.ts";
import { MemoryNodeStore } from "../../shared/smt/index.ts";
import { genesisNativeSupply } from "../../shared/stf/index.ts";
import type { Genesis } from "../../shared/stf/genesis.ts";
import type { Env } from "../../workers/src/env.ts";
import { devnetAccountSecret, laneConfig } from "../../workers/src/sequencer/config.ts";
import { posterSeedForLane } from "../../workers/src/sequencer/poster-config.ts";

export type DevnetAccount = { address: string; publicKey: string; secretKey: string };

export type DevnetPlan = {
  dir: string;
  chainId: string;
  genesisFile: string;
  configFiles: string[];
  validatorUrls: string[];
  edgeUrl: string;
  watcherUrl: string;
  /** The watcher's data dir: lane 1's genesis (genesis/lane-1.json), which it replays from. */
  watcherDir: string;
  ports: number[];
  initArgs: string[];
  wranglerArgs: string[];
  /** Arguments of settlement-node/watcher/cli.ts. */
  watcherArgs: string[];
  accounts: DevnetAccount[];
  poster: DevnetAccount;
  sequencerPublicKey: Uint8Array;
  /** Lane 1's genesis exactly as the Sequencer writes it (workers/src/sequencer/config.ts laneConfig). */
  laneGenesis: Genesis;
  laneGenesisRoot: Uint8Array;
  /** Native supply lane 1's genesis allocates: openLane's genesisEscrow, so settlement backs every genesis coin. */
  laneGenesisSupply: bigint;
  challengeWindowBlocks: bigint;
};

const LANE = 1;
const BALANCE = 1_000_000_000_000n;
const LANE_BOND = 1000n;
const TX_FEE = 10n;

/** [vars] of wrangler.toml (flat `KEY = "value"` lines, which is all it holds). */
export function wranglerVars(toml: string): Record<string, string> {
  const vars: Record<string, string> = {};
  const section = toml.split(/^\[vars\]\s*$/m)[1]?.split(/^\[/m)[0] ?? "";
  for (const m of section.matchAll(/^([A-Z0-9_]+)\s*=\s*"([^"]*)"/gm)) vars[m[1]!] = m[2]!;
  return vars;
}

function account(secretKey: Uint8Array): DevnetAccount {
  const publicKey = publicKeyFromSecret(secretKey);
  return {
    address: formatAddress(addressFromPublicKey(publicKey)),
    publicKey: toHex(publicKey),
    secretKey: toHex(secretKey),
  };
}

export function planDevnet(o: {
  dir: string;
  basePort: number;
  edgePort: number;
  /** Default: the port after the edge's inspector (edgePort + 2). */
  watcherPort?: number;
  blockIntervalMs: number;
  challengeWindowBlocks: bigint;
  wranglerToml: string;
}): DevnetPlan {
  const vars = wranglerVars(o.wranglerToml);
  const env = vars as unknown as Env;
  const chainId = env.CHAIN_ID;
  const settlementDir = path.join(o.dir, "settlement");
  const apiPorts = [0, 1, 2, 3].map((i) => o.basePort + 2 * i + 1);
  const validatorUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
  const edgeUrl = `http://127.0.0.1:${o.edgePort}`;
  const watcherPort = o.watcherPort ?? o.edgePort + 2;
  const watcherDir = path.join(o.dir, "watcher");
  const lane = laneConfig(env, LANE);
  const accounts = Array.from({ length: Number(env.DEVNET_ACCOUNTS) }, (_, i) =>
    account(devnetAccountSecret(env, i)),
  );
  return {
    dir: o.dir,
    chainId,
    genesisFile: path.join(settlementDir, "genesis.json"),
    configFiles: [0, 1, 2, 3].map((i) => path.join(settlementDir, `validator-${i}`, "config.json")),
    validatorUrls,
    edgeUrl,
    watcherUrl: `http://127.0.0.1:${watcherPort}`,
    watcherDir,
    ports: [
      ...[0, 1, 2, 3].flatMap((i) => [o.basePort + 2 * i, o.basePort + 2 * i + 1]),
      o.edgePort,
      o.edgePort + 1,
      watcherPort,
    ],
    initArgs: [
      "--validators",
      "4",
      "--dir",
      settlementDir,
      "--chain-id",
      chainId,
      "--accounts",
      "2",
      "--base-port",
      String(o.basePort),
      "--database",
      "none",
      "--block-interval-ms",
      String(o.blockIntervalMs),
    ],
    wranglerArgs: [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(o.edgePort),
      "--inspector-port",
      String(o.edgePort + 1),
      "--persist-to",
      path.join(o.dir, "wrangler"),
      "--var",
      `SETTLEMENT_URLS:${validatorUrls.join(",")}`,
      "--var",
      "SETTLEMENT_POLL_MS:500",
      "--var",
      "SETTLEMENT_BACKOFF_MS_MIN:250",
      "--var",
      "SETTLEMENT_BACKOFF_MS_MAX:5000",
      "--var",
      "CHECKPOINT_AGE_MS_MAX:1000",
      // Dev-only routes: time controls (/v1/dev/lanes/...) and bench baselines; never in production.
      "--var",
      "BITLAYER_DEV:1",
    ],
    watcherArgs: [
      "--settlement-urls",
      validatorUrls.join(","),
      "--lanes",
      String(LANE),
      "--data-dir",
      watcherDir,
      "--host",
      "127.0.0.1",
      "--port",
      String(watcherPort),
      "--poll-ms",
      "500",
    ],
    accounts,
    poster: account(posterSeedForLane(fromHex(env.SEQUENCER_SEED), LANE)),
    sequencerPublicKey: publicKeyFromSecret(lane.sequencerSecretKey),
    laneGenesis: lane.genesis,
    laneGenesisRoot: LaneExecutor.writeGenesis(new MemoryNodeStore(), lane.genesis).root,
    laneGenesisSupply: genesisNativeSupply(lane.genesis),
    challengeWindowBlocks: o.challengeWindowBlocks,
  };
}

/**
 * What openLane takes from the opener (the first account): the bond, the
 * lane's genesis supply as its escrow, and the fee.
 */
export function openLaneCost(plan: DevnetPlan): bigint {
  return LANE_BOND + plan.laneGenesisSupply + TX_FEE;
}

/**
 * Funds the lane accounts and the poster on settlement with BALANCE each,
 * the opener with openLaneCost on top (so it too holds BALANCE once lane 1
 * is open); allows short challenge windows.
 */
export function prepareGenesis(plan: DevnetPlan): void {
  const genesis = JSON.parse(fs.readFileSync(plan.genesisFile, "utf8"));
  const opener = plan.accounts[0]!;
  for (const a of [...plan.accounts, plan.poster]) {
    const balance = a === opener ? BALANCE + openLaneCost(plan) : BALANCE;
    genesis.accounts.push({ address: a.address.slice(2), balance: String(balance) });
  }
  genesis.params.challengeWindowBlocksMin = "1";
  fs.writeFileSync(plan.genesisFile, `${JSON.stringify(genesis, null, 2)}\n`);
}

/**
 * SETTLEMENT_VALIDATORS for the Worker: the validators of the genesis file
 * `settlement init` wrote, as "publicKeyHex:power" (power = stake, as the
 * ledger's set computes it). The Worker verifies settlement's commit
 * certificates against this set before it calls a checkpoint settled or
 * final; the devnet sends no staking transactions, so the set stays valid.
 */
export function settlementValidatorsVar(genesisFile: string): string {
  const genesis = JSON.parse(fs.readFileSync(genesisFile, "utf8")) as {
    validators: { publicKey: string; stake: string }[];
  };
  return genesis.validators.map((v) => `${v.publicKey.replace(/^0x/, "")}:${v.stake}`).join(",");
}

/** wrangler dev's arguments once the genesis file exists: plan.wranglerArgs plus SETTLEMENT_VALIDATORS. */
export function wranglerArgsOf(plan: DevnetPlan): string[] {
  return [
    ...plan.wranglerArgs,
    "--var",
    `SETTLEMENT_VALIDATORS:${settlementValidatorsVar(plan.genesisFile)}`,
  ];
}

/** Sends openLane for lane 1 from the first account unless settlement already has the lane. */
export async function openLane(plan: DevnetPlan, log: (m: string) => void): Promise<void> {
  const url = plan.validatorUrls[0]!;
  if ((await fetch(`${url}/v1/lanes/${LANE}`)).ok) return log("lane 1 is open on settlement");
  const owner = plan.accounts[0]!;
  const acc = (await (await fetch(`${url}/v1/accounts/${owner.address}`)).json()) as { nonce: string };
  const body: SettlementTxBody = {
    sender: fromHex(owner.publicKey),
    nonce: BigInt(acc.nonce),
    fee: TX_FEE,
    payload: {
      type: "openLane",
      sequencer: plan.sequencerPublicKey,
      bond: LANE_BOND,
      challengeWindowBlocks: plan.challengeWindowBlocks,
      genesisRoot: plan.laneGenesisRoot,
      forcedInclusionBlocks: plan.challengeWindowBlocks,
      // Backs lane 1's genesis balances, so they can be withdrawn to settlement.
      genesisEscrow: plan.laneGenesisSupply,
    },
  };
  const signature = sign(fromHex(owner.secretKey), settlementTxSignBytes(plan.chainId, body));
  const r = await fetch(`${url}/v1/txs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tx: `0x${toHex(encodeSettlementTx({ body, signature }))}` }),
  });
  if (r.status !== 202) throw new Error(`openLane refused: ${r.status} ${await r.text()}`);
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`${url}/v1/lanes/${LANE}`)).ok) return log("lane 1 opened on settlement");
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error("openLane was admitted but lane 1 did not appear within 60 s");
}
