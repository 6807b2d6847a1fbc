/**
 * Settlement ledger benchmarks (runtime-agnostic: the ledger is pure).
 * - transfers: blocks of 1,000 pre-verified transfers through applyBlock and
 *   the app-hash tree update; the unit is transactions.
 * - withdrawal claims: blocks of 100 claims, each decoding a leaf and
 *   verifying its SMT proof against a final checkpoint root.
 */

import {
  checkpointPayload,
  LaneWithdrawalTree,
  LedgerHarness,
  testGenesis,
  testKey,
} from "../../settlement-node/ledger/harness.ts";
import { accountAddressOf, LedgerStatus } from "../../settlement-node/ledger/index.ts";
import { NATIVE_ASSET } from "../../shared/stf/records.ts";
import type { BenchCase } from "../lib/types.ts";

const TRANSFERS_PER_BLOCK = 1_000;
const CLAIMS_PER_BLOCK = 100;
const SENDERS = 50;

function transferState() {
  const h = new LedgerHarness(testGenesis({ accounts: SENDERS, balance: 10n ** 15n }));
  const keys = Array.from({ length: SENDERS }, (_, i) => testKey(`a${i}`));
  return { h, keys, addresses: keys.map(accountAddressOf) };
}

function runTransfers(s: ReturnType<typeof transferState>, n: number): void {
  for (let done = 0; done < n; done += TRANSFERS_PER_BLOCK) {
    const count = Math.min(TRANSFERS_PER_BLOCK, n - done);
    const txs = Array.from({ length: count }, (_, i) =>
      s.h.tx(s.keys[i % SENDERS]!, { type: "transfer", to: s.addresses[(i + 1) % SENDERS]!, amount: 1n }),
    );
    const r = s.h.block(txs);
    if (r.receipts.some((x) => x.status !== LedgerStatus.Ok)) throw new Error("bench transfer rejected");
  }
}

function claimState(countWithdrawals: number) {
  const h = new LedgerHarness(testGenesis({ balance: 10n ** 15n }));
  const a0 = testKey("a0");
  const seq = testKey("seq");
  const zero = new Uint8Array(32);
  h.block([
    h.tx(a0, {
      type: "openLane",
      sequencer: seq,
      bond: 500n,
      challengeWindowBlocks: 2n,
      genesisRoot: zero,
      forcedInclusionBlocks: 2n,
      genesisEscrow: 0n,
    }),
    h.tx(a0, { type: "depositToLane", lane: 1, recipient: a0, amount: 10n ** 12n }),
  ]);
  const lane = new LaneWithdrawalTree();
  const root = lane.add(
    Array.from({ length: countWithdrawals }, (_, i) => ({
      id: BigInt(i),
      lane: 1,
      recipient: testKey(`r${i % 100}`),
      asset: NATIVE_ASSET,
      amount: 1n,
      height: 1n,
    })),
  );
  h.block([
    h.tx(
      a0,
      checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: zero,
        newRoot: root,
        sequencer: seq,
        withdrawalCount: BigInt(countWithdrawals),
      }),
    ),
  ]);
  h.advanceTo(h.height + 2n);
  const claims = Array.from({ length: countWithdrawals }, (_, i) => lane.claim(BigInt(i)));
  const claimers = Array.from({ length: 20 }, (_, i) => testKey(`a${i % 4}`));
  return { h, claims, claimers, next: 0 };
}

function runClaims(s: ReturnType<typeof claimState>, n: number): void {
  for (let done = 0; done < n; done += CLAIMS_PER_BLOCK) {
    const count = Math.min(CLAIMS_PER_BLOCK, n - done);
    const txs = Array.from({ length: count }, (_, i) => {
      const claim = s.claims[s.next++];
      if (!claim) throw new Error("bench ran out of withdrawals: raise n in setup");
      return s.h.tx(s.claimers[i % 4]!, { type: "claimWithdrawal", lane: 1, checkpointIndex: 0n, ...claim });
    });
    const r = s.h.block(txs);
    if (r.receipts.some((x) => x.status !== LedgerStatus.Ok)) throw new Error("bench claim rejected");
  }
}

export const cases: BenchCase[] = [
  {
    name: "ledger: applyBlock + app hash, blocks of 1,000 transfers",
    unit: "tx",
    setup: transferState,
    run: runTransfers,
    n: 5_000,
  },
  {
    name: "ledger: withdrawal claims with SMT proof, blocks of 100",
    unit: "claim",
    // Each claim pays once, so the runner's repeated calls consume the pool:
    // size it for several seconds of claims at the measured ~5K/s.
    setup: () => claimState(30_000),
    run: runClaims,
    n: 500,
  },
];
