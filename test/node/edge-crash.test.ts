/**
 * Durability of the edge lane under kill -9 (issue #6, Tests): `wrangler dev`
 * runs the Worker; four clients submit signed transfers, token creations and
 * mints (single transactions and small batches, each with an idempotency
 * key) while the test kill -9s the workerd process that runs the Sequencer
 * at random moments, at least ten times. Most kills are recovered by
 * wrangler's own supervisor (it restarts workerd); every fourth one also
 * kills wrangler and starts a new `wrangler dev` on the same persist dir.
 *
 * A client whose request fails (connection reset, 5xx, timeout) does not
 * know whether the lane committed it, so it retries until it gets an answer:
 * half the retries resend the same bytes, half re-sign the operation with a
 * different tip (new bytes, new hash, same nonce and idempotency key). Either
 * way the lane must answer the receipt it stored if the first attempt was
 * committed, and apply the operation if not — exactly once.
 *
 * Afterwards: every acknowledged receipt is served unchanged by hash and by
 * idempotency key; the lane's blocks hold exactly the acknowledged
 * transactions, each once; receipts chain across all crashes; replaying the
 * blocks with shared/stf from genesis gives every block's state root; and
 * nonces and balances read through the API (Merkle proofs checked) equal both
 * that replay and plain arithmetic over the acknowledged operations.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { wranglerVars } from "../../scripts/devnet/plan.ts";
import { settlementPayloadCodec } from "../../settlement-node/ledger/tx.ts";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { decode } from "../../shared/codec/index.ts";
import {
  decodeBatchData,
  GENESIS_RECEIPT_HASH,
  LaneExecutor,
  laneBlockCodec,
  receiptHash,
  signedLaneReceiptCodec,
  verifyReceipt,
} from "../../shared/lane/index.ts";
import {
  buildTransaction,
  createTokenPayload,
  mintTokenPayload,
  secretKeyToAccount,
  serializeTransaction,
  signTransaction,
  transferPayload,
  type Account,
  type TxPayload,
} from "../../shared/sdk/index.ts";
import {
  decodeSmtMultiproof,
  MemoryNodeStore,
  SparseMerkleTree,
  verifyMultiproof,
} from "../../shared/smt/index.ts";
import {
  accountCodec,
  balanceCodec,
  executeBlock,
  keys,
  NATIVE_ASSET,
  TxStatus,
  tokenIdOf,
  txHash,
} from "../../shared/stf/index.ts";
import { createBitlayerClient, http } from "../../sdk/index.ts";
import type { Env } from "../../workers/src/env.ts";
import { devnetAccountSecret, laneConfig } from "../../workers/src/sequencer/config.ts";
import {
  killWranglerDev,
  processAlive,
  sleep,
  startWranglerDev,
  type WranglerDev,
  workerRuntimePid,
} from "./helpers/wrangler-dev.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const LANE = 1;
const CLIENTS = 4;
const KILLS = 12;
/** Every FULL_RESTART_EVERY-th kill also kills wrangler and starts a new `wrangler dev`. */
const FULL_RESTART_EVERY = 4;
const SINK_INDEX = 7;
const TOKEN_SUPPLY_MAX = 10n ** 30n;
const REQUEST_TIMEOUT_MS = 20_000;

const vars = wranglerVars(fs.readFileSync(path.join(ROOT, "wrangler.toml"), "utf8"));
const env = vars as unknown as Env;
const chainId = env.CHAIN_ID;
const accountOf = (i: number) => secretKeyToAccount({ secretKey: devnetAccountSecret(env, i) });
const sink = accountOf(SINK_INDEX);

type ReceiptJson = {
  receipt: { height: string; index: number; txHash: string; prevReceiptHash: string; stateRoot: string };
  encoded: string;
};
type Op = {
  client: number;
  seq: number;
  nonce: bigint;
  key: Uint8Array;
  payload: TxPayload;
  kind: "createToken" | "transfer" | "mint";
  amount: bigint;
  /** Every distinct tx hash sent for this operation (the first signing and re-signed retries). */
  sentHashes: Set<string>;
  receipt?: ReceiptJson;
};

const stats = {
  requests: 0,
  unknownOutcomes: 0,
  resigned: 0,
  duplicates: 0,
  unexpected: [] as string[],
};

function idempotencyKey(client: number, seq: number): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`edge-crash/${client}/${seq}`).digest());
}

function opFor(client: number, seq: number): Op {
  const account = accountOf(client);
  const tokenId = tokenIdOf(account.publicKey, `CR${client}`);
  let payload: TxPayload;
  let kind: Op["kind"];
  let amount = 0n;
  if (seq === 0) {
    kind = "createToken";
    payload = createTokenPayload({ symbol: `CR${client}`, decimals: 0, supplyMax: TOKEN_SUPPLY_MAX });
  } else if (seq % 2 === 1) {
    kind = "transfer";
    amount = BigInt(1_000 + client * 10 + (seq % 7));
    payload = transferPayload({ to: sink.publicKey, amount });
  } else {
    kind = "mint";
    amount = BigInt(1 + (seq % 5));
    payload = mintTokenPayload({ tokenId, to: sink.publicKey, amount });
  }
  return {
    client,
    seq,
    nonce: BigInt(seq),
    key: idempotencyKey(client, seq),
    payload,
    kind,
    amount,
    sentHashes: new Set(),
  };
}

/** Canonical bytes of `op` signed with `tip` (a different tip gives different bytes and hash). */
function sign(account: Account, op: Op, tip: bigint): string {
  const tx = buildTransaction({
    chainId,
    lane: LANE,
    sender: account,
    nonce: op.nonce,
    maxFeePerGas: 1_000_000n,
    tipPerGas: tip,
    idempotencyKey: op.key,
    payload: op.payload,
  });
  const wire = serializeTransaction({
    transaction: signTransaction({ transaction: tx, accounts: [account] }),
    format: "hex",
  });
  op.sentHashes.add(toHex(txHash(fromHex(wire.slice(2)))));
  return wire;
}

describe("edge lane under kill -9", () => {
  const persistTo = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-edge-crash-"));
  let dev: WranglerDev | undefined;
  let unwatch: (() => void) | undefined;

  afterAll(async () => {
    unwatch?.();
    if (dev) await killWranglerDev(dev);
    fs.rmSync(persistTo, { recursive: true, force: true });
  });

  it("keeps every acknowledged transaction exactly once, receipts chained, across ≥ 10 kills of workerd", async () => {
    const wranglerVarsOverride = {
      RATE_LIMIT_PER_MINUTE: "100000000",
      // Checkpoints are built (alarm) while the load and the kills run.
      CHECKPOINT_AGE_MS_MAX: "300",
    };
    dev = await startWranglerDev({ persistTo, vars: wranglerVarsOverride });
    const base = () => `${dev!.url}/v1/lanes/${LANE}`;
    const started = performance.now();
    // The SDK's receipt feed client, from height 1: it reconnects after every crash and resumes from the
    // last block it delivered (docs/api-edge.md, "Receipt feed"); it must end up with the whole chain once.
    const fed: ReceiptJson[] = [];
    const feedErrors: string[] = [];
    const feedClient = createBitlayerClient({
      edgeUrl: dev.url,
      settlementUrls: ["http://127.0.0.1:9"],
      chainId,
      lane: LANE,
      // No settlement here to hold the sequencer key; the receipts are checked against the replay below.
      verifyReceipts: false,
      transport: http({ timeoutMsRequest: 3000 }),
    });
    unwatch = feedClient.watchReceipts({
      fromHeight: 1n,
      reconnectDelayMs: 200,
      onReceipts: (rs) => fed.push(...(rs as unknown as ReceiptJson[])),
      onError: (e) => feedErrors.push(e.message),
    });
    const fedHeight = () => (fed.length === 0 ? 0 : Number(fed[fed.length - 1]!.receipt.height));

    // ---- load ---------------------------------------------------------------
    const ops: Op[][] = Array.from({ length: CLIENTS }, () => []);
    let stopping = false;

    async function submitGroup(client: number, group: Op[]): Promise<void> {
      const account = accountOf(client);
      for (let attempt = 0; ; attempt++) {
        const resign = attempt > 0 && Math.random() < 0.5;
        if (resign) stats.resigned += group.length;
        const wires = group.map((op) => sign(account, op, resign ? BigInt(2 + attempt) : 1n));
        const body = group.length === 1 ? { tx: wires[0] } : { txs: wires };
        stats.requests++;
        let status = 0;
        let json: unknown;
        try {
          const r = await fetch(`${base()}/txs`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          status = r.status;
          json = await r.json().catch(() => undefined);
        } catch {
          status = 0;
        }
        // A 200 whose body was cut off by the crash is as unknown as a reset connection.
        if (status === 200 && json === undefined) status = 0;
        if (status === 200) {
          // biome-ignore lint/suspicious/noExplicitAny: JSON from the API under test
          const results: any[] = group.length === 1 ? [json] : (json as any).results;
          results.forEach((res, i) => {
            const op = group[i]!;
            if (res?.status !== "included") {
              stats.unexpected.push(`client ${client} op ${op.seq}: ${JSON.stringify(res)}`);
              return;
            }
            if (res.duplicate) stats.duplicates++;
            // The same operation always gets the same receipt, whichever attempt is answered.
            if (op.receipt && op.receipt.encoded !== res.receipt.encoded)
              stats.unexpected.push(`client ${client} op ${op.seq}: a second, different receipt`);
            op.receipt ??= res.receipt;
          });
          return;
        }
        if (status >= 400 && status < 500 && status !== 429) {
          stats.unexpected.push(
            `client ${client} group ${group[0]!.seq}: HTTP ${status} ${JSON.stringify(json)}`,
          );
          return;
        }
        // 0 (connection failed / timeout), 5xx: outcome unknown; try again.
        stats.unknownOutcomes++;
        await sleep(50 + Math.random() * 150);
      }
    }

    async function client(c: number): Promise<void> {
      let seq = 0;
      while (!stopping) {
        const size = seq === 0 ? 1 : Math.random() < 0.6 ? 1 : 2 + Math.floor(Math.random() * 3);
        const group = Array.from({ length: size }, (_, i) => opFor(c, seq + i));
        ops[c]!.push(...group);
        await submitGroup(c, group);
        seq += size;
      }
    }

    // ---- kills --------------------------------------------------------------
    const restartMs: number[] = [];
    let fullRestarts = 0;
    async function laneReachable(): Promise<boolean> {
      try {
        const r = await fetch(`${base()}/status`, { signal: AbortSignal.timeout(5_000) });
        return r.ok;
      } catch {
        return false;
      }
    }
    async function killer(): Promise<void> {
      for (let k = 0; k < KILLS; k++) {
        await sleep(600 + Math.random() * 1_400);
        // The Sequencer must be live in the runtime we kill (its SQLite file open).
        let pid: number | undefined;
        for (let tries = 0; pid === undefined && tries < 100; tries++) {
          await laneReachable();
          pid = workerRuntimePid(dev!);
          if (pid === undefined) await sleep(100);
        }
        if (pid === undefined)
          throw new Error(`no workerd runtime found before kill ${k + 1}:\n${dev!.output()}`);
        const t0 = performance.now();
        process.kill(pid, "SIGKILL");
        for (let w = 0; processAlive(pid); w++) {
          if (w > 100) throw new Error(`workerd ${pid} still alive 5 s after SIGKILL`);
          await sleep(50);
        }
        if ((k + 1) % FULL_RESTART_EVERY === 0) {
          fullRestarts++;
          const port = dev!.port;
          await killWranglerDev(dev!);
          dev = await startWranglerDev({ persistTo, port, vars: wranglerVarsOverride });
        }
        for (let w = 0; !(await laneReachable()); w++) {
          if (w > 600) throw new Error(`lane not back 60 s after kill ${k + 1}:\n${dev!.output()}`);
          await sleep(100);
        }
        const after = workerRuntimePid(dev!);
        expect(after).not.toBe(pid);
        restartMs.push(performance.now() - t0);
      }
    }

    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    await killer();
    await sleep(1_000); // a little load on the last runtime, then stop
    stopping = true;
    await Promise.all(clients);
    const loadMs = performance.now() - started;

    // ---- checks -------------------------------------------------------------
    expect(stats.unexpected).toEqual([]);
    const all = ops.flat();
    for (const op of all) expect(op.receipt, `client ${op.client} op ${op.seq} has no receipt`).toBeDefined();
    const byHash = new Map(all.map((op) => [op.receipt!.receipt.txHash, op]));
    expect(byHash.size).toBe(all.length);
    for (const op of all) expect(op.sentHashes.has(op.receipt!.receipt.txHash)).toBe(true);

    const status = (await (await fetch(`${base()}/status`)).json()) as {
      height: string;
      stateRoot: string;
      lastReceiptHash: string;
      sequencer: string;
    };

    // Every acknowledged receipt, unchanged, by hash and by idempotency key.
    await inParallel(all, 8, async (op) => {
      const h = (await (
        await fetch(`${base()}/receipts/${op.receipt!.receipt.txHash}`)
      ).json()) as ReceiptJson;
      expect(h.encoded).toBe(op.receipt!.encoded);
      const account = accountOf(op.client);
      const k = (await (
        await fetch(`${base()}/idempotency/${account.publicKeyHex}/${toHex(op.key)}`)
      ).json()) as ReceiptJson;
      expect(k.encoded).toBe(op.receipt!.encoded);
    });

    // The blocks hold exactly the acknowledged transactions, each once, and replay from genesis.
    const blocks: { height: number; stateRoot: string; encoded: string }[] = [];
    for (let from = 1; ; ) {
      const page = (await (await fetch(`${base()}/blocks?from=${from}&limit=100`)).json()) as {
        blocks: { height: number; stateRoot: string; encoded: string }[];
      };
      if (page.blocks.length === 0) break;
      blocks.push(...page.blocks);
      from = page.blocks[page.blocks.length - 1]!.height + 1;
    }
    expect(blocks.map((b) => b.height)).toEqual(blocks.map((_, i) => i + 1));
    expect(String(blocks.length)).toBe(status.height);

    const config = laneConfig(env, LANE);
    const store = new MemoryNodeStore();
    const genesis = LaneExecutor.writeGenesis(store, config.genesis);
    const tree = new SparseMerkleTree(store, { root: genesis.root, version: genesis.treeVersion });
    const sequencerKey = fromHex(status.sequencer);
    let prevReceipt = toHex(GENESIS_RECEIPT_HASH);
    const inBlocks = new Set<string>();
    for (const b of blocks) {
      const block = decode(laneBlockCodec, fromHex(b.encoded));
      const result = executeBlock(
        tree,
        block,
        block.txs.map(() => true),
      );
      expect(result.receipts.every((r) => r.status === TxStatus.Ok)).toBe(true);
      expect(toHex(tree.update(result.writes))).toBe(b.stateRoot);
      for (const [index, bytes] of block.txs.entries()) {
        const h = toHex(txHash(bytes));
        expect(inBlocks.has(h), `tx ${h} appears twice in the lane`).toBe(false);
        inBlocks.add(h);
        const op = byHash.get(h);
        expect(op, `tx ${h} in block ${b.height} was never acknowledged`).toBeDefined();
        const signed = decode(signedLaneReceiptCodec, fromHex(op!.receipt!.encoded));
        expect(signed.receipt.height).toBe(BigInt(b.height));
        expect(signed.receipt.index).toBe(index);
        expect(toHex(signed.receipt.prevReceiptHash)).toBe(prevReceipt);
        expect(toHex(signed.receipt.stateRoot)).toBe(b.stateRoot);
        expect(await verifyReceipt(signed, sequencerKey)).toBe(true);
        prevReceipt = toHex(receiptHash(signed.receipt));
      }
    }
    expect(inBlocks.size).toBe(all.length);
    expect(prevReceipt).toBe(status.lastReceiptHash);
    expect(toHex(tree.root)).toBe(status.stateRoot);

    // The feed client holds the whole chain, in order, once, across every crash.
    for (let w = 0; fedHeight() < blocks.length; w++) {
      if (w > 300) throw new Error(`the SDK's feed is stuck at height ${fedHeight()} of ${blocks.length}`);
      await sleep(100);
    }
    unwatch();
    // Socket errors while workerd is down are expected; a receipt that failed its checks is not.
    expect(feedErrors.filter((m) => !m.startsWith("receipt feed socket error"))).toEqual([]);
    expect(fed.map((r) => r.receipt.txHash)).toEqual(
      blocks.flatMap((b) => decode(laneBlockCodec, fromHex(b.encoded)).txs.map((t) => toHex(txHash(t)))),
    );
    for (const r of fed) expect(r.encoded).toBe(byHash.get(r.receipt.txHash)!.receipt!.encoded);

    // Checkpoints built by alarms that were killed too: contiguous, each block in exactly one, roots chained.
    const checkpoints: { index: number; firstHeight: number; lastHeight: number; payload: string }[] = [];
    for (;;) {
      const page = (await (
        await fetch(`${base()}/checkpoints?from=${checkpoints.length + 1}&limit=20`)
      ).json()) as {
        checkpoints: typeof checkpoints;
      };
      if (page.checkpoints.length === 0) break;
      checkpoints.push(...page.checkpoints);
    }
    expect(checkpoints.length).toBeGreaterThan(0);
    let prevRoot = toHex(genesis.root);
    let nextHeight = 1;
    for (const [i, cp] of checkpoints.entries()) {
      expect(cp.index).toBe(i);
      expect(cp.firstHeight).toBe(nextHeight);
      const payload = decode(settlementPayloadCodec, fromHex(cp.payload));
      if (payload.type !== "postCheckpoint") throw new Error(`checkpoint ${i} is a ${payload.type}`);
      expect(payload.index).toBe(BigInt(i));
      expect(toHex(payload.prevRoot)).toBe(prevRoot);
      expect(toHex(payload.newRoot)).toBe(blocks[cp.lastHeight - 1]!.stateRoot);
      const batch = decodeBatchData(payload.batchData);
      expect(batch.map((b) => Number(b.header.height))).toEqual(
        Array.from({ length: cp.lastHeight - cp.firstHeight + 1 }, (_, k) => cp.firstHeight + k),
      );
      prevRoot = toHex(payload.newRoot);
      nextHeight = cp.lastHeight + 1;
    }

    // Nonces and balances: the API (proofs checked) == the replay == arithmetic over the acknowledged ops.
    const read = async (route: string) => {
      const j = (await (await fetch(`${base()}${route}`)).json()) as {
        stateRoot: string;
        value: { nonce?: string; balance: string };
        proof: string;
        entries: { key: string; value: string | null }[];
      };
      expect(j.stateRoot).toBe(status.stateRoot);
      const entries = j.entries.map((e) => ({
        key: fromHex(e.key),
        value: e.value === null ? null : fromHex(e.value),
      }));
      expect(verifyMultiproof(fromHex(j.stateRoot), decodeSmtMultiproof(fromHex(j.proof)), entries)).toBe(
        true,
      );
      return j.value;
    };
    const replayNonce = (owner: Uint8Array) => {
      const raw = tree.get(keys.account(owner));
      return raw ? decode(accountCodec, raw).nonce : 0n;
    };
    const replayBalance = (owner: Uint8Array, asset: Uint8Array) => {
      const raw = tree.get(keys.balance(owner, asset));
      return raw ? decode(balanceCodec, raw).amount : 0n;
    };
    for (let c = 0; c < CLIENTS; c++) {
      const account = accountOf(c);
      const acked = ops[c]!.length;
      const api = await read(`/accounts/${account.publicKeyHex}`);
      expect(api.nonce).toBe(String(acked));
      expect(replayNonce(account.publicKey)).toBe(BigInt(acked));
      const tokenId = tokenIdOf(account.publicKey, `CR${c}`);
      const minted = ops[c]!.filter((o) => o.kind === "mint").reduce((s, o) => s + o.amount, 0n);
      const tokenRead = await read(`/accounts/${sink.publicKeyHex}/tokens/${toHex(tokenId)}`);
      expect(tokenRead.balance).toBe(String(minted));
      expect(replayBalance(sink.publicKey, tokenId)).toBe(minted);
    }
    const transferred = all.filter((o) => o.kind === "transfer").reduce((s, o) => s + o.amount, 0n);
    const sinkNative = BigInt(env.DEVNET_ACCOUNT_AMOUNT) + transferred;
    expect((await read(`/accounts/${sink.publicKeyHex}`)).balance).toBe(String(sinkNative));
    expect(replayBalance(sink.publicKey, NATIVE_ASSET)).toBe(sinkNative);

    const sorted = [...restartMs].sort((a, b) => a - b);
    const figures = {
      kills: restartMs.length,
      feedSocketErrors: feedErrors.length,
      checkpoints: checkpoints.length,
      fullWranglerRestarts: fullRestarts,
      acknowledgedTxs: all.length,
      blocks: blocks.length,
      requests: stats.requests,
      unknownOutcomesRetried: stats.unknownOutcomes,
      resignedRetries: stats.resigned,
      duplicateAnswers: stats.duplicates,
      restartMsP50: Math.round(sorted[Math.floor(sorted.length / 2)]!),
      restartMsMax: Math.round(sorted[sorted.length - 1]!),
      loadSeconds: Math.round(loadMs / 100) / 10,
    };
    console.log(`[edge-crash] ${JSON.stringify(figures)}`);
    expect(restartMs.length).toBeGreaterThanOrEqual(10);
  }, 240_000);
});

async function inParallel<T>(items: T[], width: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}
