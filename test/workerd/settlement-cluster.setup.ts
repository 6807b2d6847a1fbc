/**
 * Vitest global setup of the workerd project: four real settlement
 * validator processes on loopback (the devnet's own plan: genesis funding
 * the Worker's devnet accounts and lane 1's poster, lane 1 opened with the
 * Worker's sequencer key and genesis root), with 200 ms blocks, a challenge
 * window of 4 blocks and a forced-inclusion bound of 25 blocks. The URLs are
 * handed to the tests with provide/inject (`inject("settlement")`) with the
 * genesis validator set; the test points the Worker's SETTLEMENT_URLS at them
 * and SETTLEMENT_VALIDATORS at the set, so the lane verifies every
 * checkpoint proof it records as settled or final. Runs in Node, before any test
 * worker exists.
 *
 * It starts the cluster only when the run includes the e2e test (a run given
 * file filters that name no e2e file skips it), and the returned teardown
 * kills every process it started and removes the temp directory.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import {
  encodeSettlementTx,
  settlementTxSignBytes,
  type SettlementTxBody,
} from "../../settlement-node/ledger/tx.ts";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { sign } from "../../shared/crypto/keys.ts";
import {
  type DevnetAccount,
  planDevnet,
  prepareGenesis,
  settlementValidatorsVar,
} from "../../scripts/devnet/plan.ts";
import { init } from "../../settlement-node/cli/init.ts";
import { freeDevnetBasePort } from "../node/helpers/devnet.ts";

export type SettlementCluster = {
  urls: string[];
  chainId: string;
  lane: number;
  challengeWindowBlocks: string;
  forcedInclusionBlocks: string;
  /** Settlement accounts funded at genesis: the Worker's devnet accounts, in DEVNET_ACCOUNTS order. */
  accounts: DevnetAccount[];
  /** The genesis validator set as the Worker's SETTLEMENT_VALIDATORS var ("publicKeyHex:power,…"). */
  validators: string;
  /** Validator logs, for a failing test's message. */
  dir: string;
};

declare module "vitest" {
  export interface ProvidedContext {
    settlement: SettlementCluster | null;
  }
}

const ROOT = path.resolve(import.meta.dirname, "../..");
const NODE_BIN = path.join(ROOT, "node_modules/.bin/node");
const E2E_FILES = ["lane-settlement-e2e"];
const BLOCK_INTERVAL_MS = 200;
const CHALLENGE_WINDOW_BLOCKS = 4n;
const FORCED_INCLUSION_BLOCKS = 25n;
const LANE = 1;

function wanted(): boolean {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith("-") && /\.(test\.)?ts$|\//.test(a));
  return filters.length === 0 || filters.some((f) => E2E_FILES.some((e) => f.includes(e)));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`settlement cluster: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!wanted()) {
    project.provide("settlement", null);
    return async () => {};
  }
  const startedMs = Date.now();
  const phases: string[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-workerd-e2e-"));
  const basePort = await freeDevnetBasePort();
  const plan = planDevnet({
    dir,
    basePort,
    edgePort: basePort + 100,
    blockIntervalMs: BLOCK_INTERVAL_MS,
    challengeWindowBlocks: CHALLENGE_WINDOW_BLOCKS,
    wranglerToml: fs.readFileSync(path.join(ROOT, "wrangler.toml"), "utf8"),
  });
  // What `bitlayer-settlement init ...plan.initArgs` does, in this process (a child costs seconds on a busy machine).
  init({
    dir: path.dirname(plan.genesisFile),
    validators: 4,
    accounts: 2,
    chainId: plan.chainId,
    host: "127.0.0.1",
    p2pPorts: [0, 1, 2, 3].map((i) => basePort + 2 * i),
    apiPorts: [0, 1, 2, 3].map((i) => basePort + 2 * i + 1),
    database: "none",
    schemaPrefix: "bitlayer",
    // Short round timeouts (as test/node/helpers/cluster.ts): validators booting at different times agree sooner.
    consensus: { blockIntervalMs: BLOCK_INTERVAL_MS, timeoutMsPropose: 300, gossipIntervalMs: 100 },
  });
  prepareGenesis(plan);

  const children: ChildProcess[] = [];
  const killAll = (signal: NodeJS.Signals) => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
  };
  const onExit = () => killAll("SIGKILL");
  process.on("exit", onExit);
  const teardown = async () => {
    killAll("SIGTERM");
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const hard = setTimeout(() => c.kill("SIGKILL"), 3000);
            c.once("exit", () => {
              clearTimeout(hard);
              resolve();
            });
          }),
      ),
    );
    process.off("exit", onExit);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    plan.configFiles.forEach((file, i) => {
      const log = fs.openSync(path.join(dir, `validator-${i}.log`), "a");
      children.push(
        spawn(NODE_BIN, [path.join(ROOT, "scripts/devnet/validator.ts"), file], {
          cwd: ROOT,
          stdio: ["ignore", log, log],
        }),
      );
      fs.closeSync(log);
    });
    const url = plan.validatorUrls[0]!;
    phases.push(`spawned ${Date.now() - startedMs} ms`);
    await waitFor(
      "the first settlement block",
      async () => {
        const s = (await (await fetch(`${url}/v1/status`)).json()) as { height: string };
        return BigInt(s.height) >= 1n ? s : undefined;
      },
      30_000,
    );
    phases.push(`first block ${Date.now() - startedMs} ms`);
    await openLane(url, plan.chainId, plan.accounts[0]!, {
      sequencer: plan.sequencerPublicKey,
      genesisRoot: plan.laneGenesisRoot,
      genesisEscrow: plan.laneGenesisSupply,
    });
    await waitFor(
      "lane 1 on settlement",
      async () => ((await fetch(`${url}/v1/lanes/${LANE}`)).ok ? true : undefined),
      30_000,
    );
  } catch (error) {
    await teardown();
    throw error;
  }
  console.log(`[settlement-cluster] 4 validators and lane ${LANE} ready in ${Date.now() - startedMs} ms (${phases.join(", ")})`);
  project.provide("settlement", {
    urls: plan.validatorUrls,
    chainId: plan.chainId,
    lane: LANE,
    challengeWindowBlocks: String(CHALLENGE_WINDOW_BLOCKS),
    forcedInclusionBlocks: String(FORCED_INCLUSION_BLOCKS),
    accounts: plan.accounts.slice(0, 4),
    validators: settlementValidatorsVar(plan.genesisFile),
    dir,
  });
  return teardown;
}

/**
 * openLane from the first devnet account, with the e2e's forced-inclusion
 * bound and the lane genesis's supply as escrow (prepareGenesis funds it).
 */
async function openLane(
  url: string,
  chainId: string,
  owner: DevnetAccount,
  lane: { sequencer: Uint8Array; genesisRoot: Uint8Array; genesisEscrow: bigint },
): Promise<void> {
  const account = (await (await fetch(`${url}/v1/accounts/${owner.address}`)).json()) as { nonce: string };
  const body: SettlementTxBody = {
    sender: fromHex(owner.publicKey),
    nonce: BigInt(account.nonce),
    fee: 10n,
    payload: {
      type: "openLane",
      sequencer: lane.sequencer,
      bond: 1000n,
      challengeWindowBlocks: CHALLENGE_WINDOW_BLOCKS,
      genesisRoot: lane.genesisRoot,
      forcedInclusionBlocks: FORCED_INCLUSION_BLOCKS,
      genesisEscrow: lane.genesisEscrow,
    },
  };
  const signature = sign(fromHex(owner.secretKey), settlementTxSignBytes(chainId, body));
  const r = await fetch(`${url}/v1/txs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tx: `0x${toHex(encodeSettlementTx({ body, signature }))}` }),
  });
  if (r.status !== 202) throw new Error(`openLane refused: ${r.status} ${await r.text()}`);
}
