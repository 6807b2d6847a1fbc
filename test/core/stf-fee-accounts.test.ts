/**
 * Fee credits are written once per block (Ledger.creditDeferred), so these
 * cases make the fee recipients transact in the same block: the sequencer
 * spends fees it earned earlier in the block, the treasury receives a
 * transfer, rejected transactions roll back in between. Final balances are
 * checked against a plain model that credits every fee split immediately.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decode } from "../../shared/codec/index.ts";
import { deriveSeed, devnetLaneGenesis } from "../../shared/lane/genesis.ts";
import {
  balanceCodec,
  type BlockHeader,
  effectiveGasPrice,
  encodeSignedTx,
  executeBlock,
  GAS,
  genesisWrites,
  keys,
  MemoryState,
  NATIVE_ASSET,
  splitFee,
  TxStatus,
} from "../../shared/stf/index.ts";

const owner = (i: number) => deriveSeed(new Uint8Array(32), `fee-test/${i}`);
const ACCOUNTS = [0, 1, 2, 3].map(owner);
const [SEQUENCER, VALIDATORS, TREASURY] = ACCOUNTS as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
const START = 1_000_000n;

function lane() {
  const g = devnetLaneGenesis({
    chainId: "fee-test",
    lane: 1,
    timestampMs: 0n,
    allocations: ACCOUNTS.map((o) => ({ owner: o, amount: START })),
  });
  const genesis = { ...g, params: { ...g.params, validatorsAccount: VALIDATORS, treasuryAccount: TREASURY } };
  const state = new MemoryState();
  state.apply(genesisWrites(genesis));
  return { genesis, state };
}

type Spend = { from: number; to: number; amount: bigint; nonceSkew: number };

const balanceIn = (state: MemoryState, o: Uint8Array) => {
  const raw = state.get(keys.balance(o, NATIVE_ASSET));
  return raw === undefined ? 0n : decode(balanceCodec, raw).amount;
};

describe("fee recipients that transact in the same block", () => {
  it("end with the balances of crediting every fee split at once", () => {
    const spend = fc.record({
      from: fc.integer({ min: 0, max: 3 }),
      to: fc.integer({ min: 0, max: 3 }),
      // Up to the sender's whole balance plus fees it may have earned in the block.
      amount: fc.bigInt({ min: 0n, max: START + 20_000n }),
      nonceSkew: fc.constantFrom(0, 0, 0, 1),
    });
    fc.assert(
      fc.property(fc.array(spend, { minLength: 1, maxLength: 25 }), (spends: Spend[]) => {
        const { genesis, state } = lane();
        const header: BlockHeader = {
          chainId: genesis.chainId,
          lane: genesis.lane,
          height: 1n,
          timestampMs: 1n,
          sequencer: SEQUENCER,
          baseFeePerGas: genesis.baseFeePerGas,
        };
        const model = ACCOUNTS.map(() => START);
        const nonces = ACCOUNTS.map(() => 0n);
        const txs: Uint8Array[] = [];
        const expected: number[] = [];
        for (const s of spends) {
          const body = {
            chainId: genesis.chainId,
            lane: genesis.lane,
            sender: ACCOUNTS[s.from]!,
            nonce: nonces[s.from]! + BigInt(s.nonceSkew),
            maxFeePerGas: 100n,
            tipPerGas: 1n,
            idempotencyKey: null,
            payload: { type: "transfer" as const, to: ACCOUNTS[s.to]!, amount: s.amount },
          };
          txs.push(encodeSignedTx({ body, signatures: [new Uint8Array(64)] }));
          const fee = GAS.transfer * effectiveGasPrice(header.baseFeePerGas, 100n, 1n);
          const ok = s.nonceSkew === 0 && s.amount > 0n && model[s.from]! >= fee + s.amount;
          expected.push(ok ? TxStatus.Ok : -1);
          if (!ok) continue;
          nonces[s.from]! += 1n;
          model[s.from]! -= fee + s.amount;
          model[s.to]! += s.amount;
          const split = splitFee(fee, genesis.params);
          model[0]! += split.sequencer;
          model[1]! += split.validators;
          model[2]! += split.treasury;
        }
        const result = executeBlock(
          state,
          { header, deposits: [], txs },
          txs.map(() => true),
        );
        result.receipts.forEach((r, i) => {
          if (expected[i] === TxStatus.Ok) expect(r.status).toBe(TxStatus.Ok);
          else expect(r.status).not.toBe(TxStatus.Ok);
        });
        state.apply(result.writes);
        for (const [i, o] of ACCOUNTS.entries()) expect(balanceIn(state, o)).toBe(model[i]);
      }),
      { numRuns: 150 },
    );
  });
});
