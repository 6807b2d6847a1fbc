/**
 * The whole stack on the real devnet (`npm start`, scripts/devnet.ts): four
 * settlement validators, lane 1 and the edge Worker under `wrangler dev`.
 * Through HTTP only, signed lane transactions are submitted to the edge,
 * their signed receipts climb soft → checkpointed → settled → final while
 * the Sequencer's poster moves the checkpoint through settlement, the
 * devnet's watcher replays every checkpoint and finds no fraud, and the
 * devnet stops cleanly on SIGTERM and resumes its state from disk.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../../shared/bytes.ts";
import { decode } from "../../shared/codec/index.ts";
import { signedLaneReceiptCodec, verifyReceipt } from "../../shared/lane/receipt.ts";
import {
  type Account,
  buildTransaction,
  createTokenPayload,
  getTransactionHash,
  mintItemPayload,
  mintTokenPayload,
  secretKeyToAccount,
  serializeTransaction,
  signTransaction,
  type TxPayload,
  transferPayload,
} from "../../shared/sdk/index.ts";
import { itemIdOf, tokenIdOf, TxStatus } from "../../shared/stf/index.ts";
import {
  devnetPorts,
  freeDevnetBasePort,
  getJson,
  killProcessGroup,
  listeningPorts,
  postJson,
  processGroupAlive,
  type RunningDevnet,
  startDevnet,
  stopDevnet,
  waitUntil,
} from "./helpers/devnet.ts";
import type { FinalityStatus, ReceiptView } from "../../shared/sdk/receipt-view.ts";

const BLOCK_INTERVAL_MS = 200;
// Long enough (in settlement blocks) that the poster's 500 ms status poll sees "settled" before "final".
const CHALLENGE_WINDOW_BLOCKS = 10;
const READY_TIMEOUT_MS = 90_000;
const FINAL_TIMEOUT_MS = 45_000;
const TRANSFER_AMOUNT = 12_345n;

const LADDER: FinalityStatus[] = ["soft", "checkpointed", "settled", "final"];

type SubmitResult = { index: number; status: string; duplicate: boolean; receipt: ReceiptView };
type ProvenAccount = { height: string; value: { nonce: string; balance: string } };
type SettlementCheckpoint = { index: string | number; finality: { status: string } };
type SettlementStatus = { height: string; lastBlockHash: string };
type SettlementBlock = { height: string; hash: string };
type WatchedLane = {
  status: string;
  lastVerified: { index: string; root: string; height: string } | null;
  mismatches: unknown[];
  invalid: unknown[];
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-devnet-e2e-"));
let basePort = 0;
let devnet: RunningDevnet | undefined;
const figures: Record<string, number> = {};

/** What the first run leaves behind for the warm restart to find again. */
const firstRun = {
  transferHash: "",
  transferReceiptEncoded: "",
  transferHeight: 0n,
  lastStateRoot: "",
  settlementHeight: 0,
  settlementBlockHash: "",
  recipientBalance: 0n,
};

const edge = () => `${devnet!.info.edgeUrl}/v1/lanes/${devnet!.info.lane}`;
const accountAt = (i: number): Account =>
  secretKeyToAccount({ secretKey: fromHex(devnet!.info.accounts[i]!.secretKey) });

async function laneAccount(publicKeyHex: string): Promise<{ nonce: bigint; balance: bigint }> {
  const a = await getJson<ProvenAccount>(`${edge()}/accounts/${publicKeyHex}`);
  return { nonce: BigInt(a.value.nonce), balance: BigInt(a.value.balance) };
}

async function submit(sender: Account, nonce: bigint, payload: TxPayload) {
  const transaction = signTransaction({
    transaction: buildTransaction({
      chainId: devnet!.info.chainId,
      lane: devnet!.info.lane,
      sender,
      nonce,
      maxFeePerGas: 10n,
      payload,
    }),
    accounts: [sender],
  });
  const hash = toHex(getTransactionHash({ transaction }));
  const result = await postJson<SubmitResult>(`${edge()}/txs`, {
    tx: serializeTransaction({ transaction, format: "hex" }),
  });
  return { hash, result };
}

/** Waits until the devnet's watcher has verified lane 1 through `height`; checks it found nothing wrong. */
async function expectWatcherVerified(height: bigint): Promise<WatchedLane> {
  const lane = await waitUntil(
    `the watcher to verify lane 1 through height ${height}`,
    async () => {
      const l = await getJson<WatchedLane>(`${devnet!.info.watcherUrl}/v1/lanes/1`);
      return l.lastVerified && BigInt(l.lastVerified.height) >= height ? l : undefined;
    },
    20_000,
  );
  expect(lane.status).toBe("watching");
  expect(lane.mismatches).toEqual([]);
  expect(lane.invalid).toEqual([]);
  // The root it replayed to is the one settlement accepted for that checkpoint.
  const checkpoint = await getJson<{ newRoot: string }>(
    `${devnet!.info.validatorUrls[0]}/v1/lanes/1/checkpoints/${lane.lastVerified!.index}`,
  );
  expect(lane.lastVerified!.root).toBe(checkpoint.newRoot);
  return lane;
}

async function sequencerPublicKey(): Promise<Uint8Array> {
  const status = await getJson<{ sequencer: string }>(`${edge()}/status`);
  return fromHex(status.sequencer);
}

beforeAll(async () => {
  basePort = await freeDevnetBasePort();
  devnet = await startDevnet({
    dir,
    basePort,
    fresh: true,
    blockIntervalMs: BLOCK_INTERVAL_MS,
    challengeWindowBlocks: CHALLENGE_WINDOW_BLOCKS,
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  figures.readyMsFresh = devnet.readyMs;
}, READY_TIMEOUT_MS + 10_000);

afterAll(async () => {
  killProcessGroup(devnet?.child);
  console.log(`devnet e2e figures (ms): ${JSON.stringify(figures)}`);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("devnet end to end: edge lane → settlement → final", () => {
  it("writes devnet.json naming the edge, four validators and prefunded lane accounts", async () => {
    const { info } = devnet!;
    expect(devnet!.output()).toMatch(/\[devnet\] ready/);
    expect(info.validatorUrls).toHaveLength(4);
    expect(info.accounts.length).toBeGreaterThanOrEqual(2);
    for (const url of info.validatorUrls) {
      const status = await getJson<{ chainId: string }>(`${url}/v1/status`);
      expect(status.chainId).toBe(info.chainId);
    }
    const funded = await laneAccount(info.accounts[1]!.publicKey);
    expect(funded.balance).toBeGreaterThan(TRANSFER_AMOUNT);
  });

  it(
    "signs receipts for a native transfer, a token create and mint, and an item mint; balances move",
    async () => {
      const alice = accountAt(0);
      const bob = accountAt(1);
      const aliceHex = devnet!.info.accounts[0]!.publicKey;
      const bobHex = devnet!.info.accounts[1]!.publicKey;
      const before = { alice: await laneAccount(aliceHex), bob: await laneAccount(bobHex) };
      const sequencer = await sequencerPublicKey();

      const t0 = performance.now();
      const transfer = await submit(
        alice,
        before.alice.nonce,
        transferPayload({ to: bob.publicKey, amount: TRANSFER_AMOUNT }),
      );
      const symbol = "E2E";
      const tokenId = tokenIdOf(alice.publicKey, symbol);
      const referenceId = utf8("e2e-sword-1");
      const submitted = [
        transfer,
        await submit(
          alice,
          before.alice.nonce + 1n,
          createTokenPayload({ symbol, decimals: 2, supplyMax: 1_000_000n }),
        ),
        await submit(
          alice,
          before.alice.nonce + 2n,
          mintTokenPayload({ tokenId, to: bob.publicKey, amount: 700n }),
        ),
        await submit(
          alice,
          before.alice.nonce + 3n,
          mintItemPayload({ referenceId, owner: bob.publicKey, metadata: utf8('{"atk":7}') }),
        ),
      ];
      for (const { hash, result } of submitted) {
        expect(result.status).toBe("included");
        expect(result.duplicate).toBe(false);
        expect(result.receipt.receipt.txHash).toBe(hash);
        expect(result.receipt.receipt.status).toBe(TxStatus.Ok);
        expect(result.receipt.receipt.chainId).toBe(devnet!.info.chainId);
        const signed = decode(signedLaneReceiptCodec, fromHex(result.receipt.encoded));
        expect(await verifyReceipt(signed, sequencer)).toBe(true);
      }

      const after = { alice: await laneAccount(aliceHex), bob: await laneAccount(bobHex) };
      expect(after.bob.balance).toBe(before.bob.balance + TRANSFER_AMOUNT);
      expect(after.alice.nonce).toBe(before.alice.nonce + 4n);
      // Alice also paid gas for four transactions.
      expect(after.alice.balance).toBeLessThan(before.alice.balance - TRANSFER_AMOUNT);
      const tokenBalance = await getJson<{ value: { balance: string } }>(
        `${edge()}/accounts/${bobHex}/tokens/${toHex(tokenId)}`,
      );
      expect(tokenBalance.value.balance).toBe("700");
      const item = await getJson<{ value: { owner: string; burned: boolean } | null }>(
        `${edge()}/items/${toHex(itemIdOf(alice.publicKey, referenceId))}`,
      );
      expect(item.value?.owner).toBe(bobHex);

      firstRun.transferHash = transfer.hash;
      firstRun.lastStateRoot = submitted.at(-1)!.result.receipt.receipt.stateRoot;
      firstRun.transferReceiptEncoded = transfer.result.receipt.encoded;
      firstRun.transferHeight = BigInt(transfer.result.receipt.receipt.height);
      firstRun.recipientBalance = after.bob.balance;

      // Walk the finality ladder of the transfer: every rung seen, in order, never backwards.
      const seen: FinalityStatus[] = [];
      await waitUntil(
        "the transfer's receipt to become final",
        async () => {
          const view = await getJson<ReceiptView>(`${edge()}/receipts/${transfer.hash}`);
          if (seen.at(-1) !== view.finality) seen.push(view.finality);
          return view.finality === "final" ? true : undefined;
        },
        FINAL_TIMEOUT_MS,
        50,
      );
      figures.submitToFinalMs = performance.now() - t0;
      expect(seen).toEqual(LADDER);
      // Settled and final came from proofs the lane verified against the genesis validators.
      const status = await getJson<{ settlementVerification: { mode: string; validators: number } }>(
        `${edge()}/status`,
      );
      expect(status.settlementVerification).toMatchObject({ mode: "verified", validators: 4 });
    },
    FINAL_TIMEOUT_MS + 30_000,
  );

  it("the watcher has replayed lane 1's checkpoints through the transfer's block and found no fraud", async () => {
    await expectWatcherVerified(firstRun.transferHeight);
  }, 30_000);

  it("settlement holds lane 1's first checkpoint as final, and all four validators agree on block hashes", async () => {
    const { validatorUrls } = devnet!.info;
    for (const url of validatorUrls) {
      const checkpoint = await getJson<SettlementCheckpoint>(`${url}/v1/lanes/1/checkpoints/0`);
      expect(checkpoint.finality.status).toBe("final");
    }

    // The lane's latest state root reaches settlement (every later checkpoint is posted, too).
    await waitUntil(
      "settlement's lane 1 root to equal the lane's state root after the last transaction",
      async () => {
        const lane = await getJson<{ lastRoot: string }>(`${validatorUrls[0]}/v1/lanes/1`);
        return lane.lastRoot.replace(/^0x/, "") === firstRun.lastStateRoot ? true : undefined;
      },
      20_000,
    );

    const heights = await Promise.all(
      validatorUrls.map(async (url) => Number((await getJson<SettlementStatus>(`${url}/v1/status`)).height)),
    );
    const common = Math.min(...heights);
    expect(common).toBeGreaterThan(0);
    const hashes = await Promise.all(
      validatorUrls.map(async (url) => (await getJson<SettlementBlock>(`${url}/v1/blocks/${common}`)).hash),
    );
    expect(new Set(hashes).size).toBe(1);
    firstRun.settlementHeight = common;
    firstRun.settlementBlockHash = hashes[0]!;
  }, 30_000);

  it("stops every child on SIGTERM: the process group is gone and no devnet port listens", async () => {
    const pgid = devnet!.child.pid!;
    const code = await stopDevnet(devnet!, 20_000);
    expect(code).toBe(0);
    // No child crashed and was restarted by the supervisor during the run.
    expect(devnet!.output()).not.toMatch(/restarting in/);
    await waitUntil(
      "the devnet's process group to exit",
      async () => (processGroupAlive(pgid) ? undefined : true),
      10_000,
    );
    expect(await listeningPorts(devnetPorts(basePort))).toEqual([]);
  }, 40_000);

  it(
    "restarts warm: receipt, balances and settlement blocks persist, and a new transfer still reaches final",
    async () => {
      devnet = await startDevnet({
        dir,
        basePort,
        fresh: false,
        blockIntervalMs: BLOCK_INTERVAL_MS,
        challengeWindowBlocks: CHALLENGE_WINDOW_BLOCKS,
        readyTimeoutMs: READY_TIMEOUT_MS,
      });
      figures.readyMsWarm = devnet.readyMs;

      const view = await getJson<ReceiptView>(`${edge()}/receipts/${firstRun.transferHash}`);
      expect(view.encoded).toBe(firstRun.transferReceiptEncoded);
      expect(view.finality).toBe("final");
      const bob = await laneAccount(devnet.info.accounts[1]!.publicKey);
      expect(bob.balance).toBe(firstRun.recipientBalance);

      const status = await getJson<SettlementStatus>(`${devnet.info.validatorUrls[0]}/v1/status`);
      expect(Number(status.height)).toBeGreaterThanOrEqual(firstRun.settlementHeight);
      // The same block at the same height: the chain resumed rather than starting over.
      for (const url of devnet.info.validatorUrls) {
        const block = await getJson<SettlementBlock>(`${url}/v1/blocks/${firstRun.settlementHeight}`);
        expect(block.hash).toBe(firstRun.settlementBlockHash);
      }
      const checkpoint = await getJson<SettlementCheckpoint>(
        `${devnet.info.validatorUrls[0]}/v1/lanes/1/checkpoints/0`,
      );
      expect(checkpoint.finality.status).toBe("final");

      // The poster resumes: a transfer sent after the restart becomes final too (a later checkpoint).
      const alice = accountAt(0);
      const nonce = (await laneAccount(devnet.info.accounts[0]!.publicKey)).nonce;
      const again = await submit(alice, nonce, transferPayload({ to: accountAt(1).publicKey, amount: 1n }));
      expect(again.result.receipt.receipt.status).toBe(TxStatus.Ok);
      const finalView = await waitUntil(
        "a transfer sent after the restart to become final",
        async () => {
          const view = await getJson<ReceiptView>(`${edge()}/receipts/${again.hash}`);
          return view.finality === "final" ? view : undefined;
        },
        FINAL_TIMEOUT_MS,
      );
      expect(finalView.receipt.height).not.toBe(view.receipt.height);
      // The watcher kept nothing on disk: it replayed lane 1 from genesis again, through the new block.
      await expectWatcherVerified(BigInt(finalView.receipt.height));
      expect(await stopDevnet(devnet, 20_000)).toBe(0);
    },
    READY_TIMEOUT_MS + FINAL_TIMEOUT_MS + 30_000,
  );
});
