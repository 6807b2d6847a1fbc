/**
 * A fixed scenario whose app hashes are committed as a golden vector
 * (test/golden/ledger-app-hashes.json): any change to encodings, keys or
 * rules that alters state shows up as a changed hash. Regenerate with
 *   node_modules/.bin/tsx settlement-node/ledger/gen-golden.ts
 */
import { toHex } from "../../shared/bytes.ts";
import { NATIVE_ASSET } from "../../shared/stf/records.ts";
import { accountAddressOf } from "./address.ts";
import { checkpointPayload, LaneWithdrawalTree, LedgerHarness, testKey } from "./harness.ts";

export function goldenRun(): {
  genesisAppHash: string;
  blocks: { height: string; appHash: string; statuses: number[] }[];
} {
  const h = new LedgerHarness();
  const genesisAppHash = toHex(h.appHash);
  const [a0, a1, v1, v3, seq] = ["a0", "a1", "v1", "v3", "seq"].map(testKey) as Uint8Array[] as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  const lane = new LaneWithdrawalTree();
  const root = lane.add([{ id: 0n, lane: 1, recipient: a1, asset: NATIVE_ASSET, amount: 250n, height: 3n }]);
  const zero = new Uint8Array(32);
  const plan = [
    () => [
      h.tx(a0, { type: "transfer", to: accountAddressOf(a1), amount: 1_234n }),
      h.tx(a0, {
        type: "openLane",
        sequencer: seq,
        bond: 500n,
        challengeWindowBlocks: 2n,
        genesisRoot: zero,
        forcedInclusionBlocks: 2n,
        genesisEscrow: 300n,
      }),
      h.tx(a1, { type: "bond", amount: 5_000n }),
    ],
    () => [
      h.tx(a0, { type: "depositToLane", lane: 1, recipient: a1, amount: 1_000n }),
      h.tx(v1, { type: "unbond", amount: 2_000n }),
    ],
    () => [
      h.tx(
        a0,
        checkpointPayload({
          lane: 1,
          index: 0n,
          prevRoot: zero,
          newRoot: root,
          sequencer: seq,
          withdrawalCount: 1n,
        }),
      ),
    ],
    () => [
      h.tx(
        a0,
        { type: "reportDoubleSign", evidence: new Uint8Array(1) },
        { evidence: { validatorPublicKey: v1, height: 2n } },
      ),
    ],
    () => [],
    () => [h.tx(a1, { type: "claimWithdrawal", lane: 1, checkpointIndex: 0n, ...lane.claim(0n) })],
  ];
  const blocks = plan.map((txs, i) => {
    const signers = h
      .books()
      .validatorSet()
      .previous.map((m) => m.publicKey);
    const r = h.block(txs(), { signers: i >= 3 ? signers.filter((k) => toHex(k) !== toHex(v3)) : signers });
    return { height: String(h.height), appHash: toHex(h.appHash), statuses: r.receipts.map((x) => x.status) };
  });
  return { genesisAppHash, blocks };
}
