/**
 * The lane's full loop per batch of 100 pre-signed transfers: one verifyMany
 * over the batch, shared/stf executeBlock over the sparse Merkle tree and the
 * new root (lane/full-loop); lane/full-loop+receipts adds the sequencer's
 * signed, chained receipts, i.e. everything the Sequencer does but SQLite.
 * Each call replays 10 batches from a fresh genesis (100 senders, nonces
 * 0..9), so every call does the same work; the genesis write (100 leaves) is
 * inside the timing, about a tenth of one batch's tree update.
 */
import type { LaneExecutor } from "../../shared/lane/executor.ts";
import { signedTx, type TestLane, testLane, transferBody } from "../../shared/lane/testing.ts";
import type { BenchCase } from "../lib/types.ts";

const BATCH_TXS = 100;
const BATCHES = 10;

type LaneBenchState = { lane: TestLane; batches: Uint8Array[][]; sink: number };

async function setup(): Promise<LaneBenchState> {
  const lane = testLane({ accounts: BATCH_TXS });
  const batches: Uint8Array[][] = [];
  for (let b = 0; b < BATCHES; b++) {
    const batch: Uint8Array[] = [];
    for (let i = 0; i < BATCH_TXS; i++) {
      const from = lane.accounts[i]!;
      const to = lane.accounts[(i + 1 + b) % BATCH_TXS]!.publicKey;
      batch.push(await signedTx(transferBody(lane, from, to, BigInt(b)), lane.accounts));
    }
    batches.push(batch);
  }
  return { lane, batches, sink: 0 };
}

async function fullLoop(s: LaneBenchState, n: number, signReceipts: boolean): Promise<void> {
  let executor: LaneExecutor | undefined;
  for (let done = 0, b = 0; done < n; done += BATCH_TXS, b++) {
    if (b % BATCHES === 0) executor = s.lane.newExecutor({ blockTxsMax: BATCH_TXS });
    const verified = await executor!.verify(s.batches[b % BATCHES]!);
    const step = executor!.execute(verified, 2_000n + BigInt(b));
    if (step.included.length !== BATCH_TXS)
      throw new Error(`bench: ${step.rejected[0]?.reason} in batch ${b}`);
    if (signReceipts) s.sink += (await executor!.sign(step)).length;
    executor!.commit();
    s.sink += step.stateRoot[0]!;
  }
}

export const cases: BenchCase[] = [
  {
    name: "full-loop",
    unit: "tx",
    setup,
    run: (s: LaneBenchState, n: number) => fullLoop(s, n, false),
    n: BATCH_TXS * BATCHES,
  },
  {
    name: "full-loop+receipts",
    unit: "tx",
    setup,
    run: (s: LaneBenchState, n: number) => fullLoop(s, n, true),
    n: BATCH_TXS * BATCHES,
  },
];
