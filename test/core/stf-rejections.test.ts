/**
 * Every rejection code, triggered on purpose. The proof that a rejected entry
 * changed nothing and paid nothing: the block's writes are byte-identical to
 * those of the same block without that entry.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Deposit,
  type LaneHarness as Harness,
  LaneHarness,
  NATIVE_ASSET,
  type TxOptions,
  type TxPayload,
  TxStatus,
  testAddress,
  tokenIdOf,
  itemIdOf,
  txStatusName,
  U128_MAX,
} from "../../shared/stf/index.ts";
import { toHex } from "../../shared/bytes.ts";

const alice = testAddress("alice");
const bob = testAddress("bob");
const carol = testAddress("carol"); // a game: token issuer and item minter
const dave = testAddress("dave"); // cannot pay a fee
const gold = tokenIdOf(carol, "GOLD");
const bytes = (s: string) => new TextEncoder().encode(s);
const sword = itemIdOf(carol, bytes("sword"));
const axe = itemIdOf(carol, bytes("axe"));
const relic = itemIdOf(carol, bytes("relic"));
const idempotencyKey = new Uint8Array(32).fill(7);
const deposit1: Deposit = {
  depositId: new Uint8Array(32).fill(1),
  recipient: alice,
  asset: NATIVE_ASSET,
  amount: 100n,
};

function world(): Harness {
  const h = new LaneHarness([
    { owner: alice, amount: 1_000_000_000n },
    { owner: bob, amount: 1_000_000_000n },
    { owner: carol, amount: 1_000_000_000n },
    { owner: dave, amount: 5n },
  ]);
  const c = (nonce: bigint, payload: TxPayload) => h.tx(carol, payload, { nonce });
  const setup = h.commit(
    [
      c(0n, { type: "createToken", symbol: "GOLD", decimals: 2, supplyMax: 1_000_000n }),
      c(1n, { type: "mintToken", tokenId: gold, to: alice, amount: 1_000n }),
      c(2n, { type: "mintItem", referenceId: bytes("sword"), owner: alice, metadata: bytes("+5") }),
      c(3n, { type: "mintItem", referenceId: bytes("axe"), owner: bob, metadata: bytes("+3") }),
      c(4n, { type: "mintItem", referenceId: bytes("relic"), owner: carol, metadata: bytes("old") }),
      c(5n, { type: "burnItem", itemId: relic }),
      h.tx(alice, { type: "transfer", to: bob, amount: 1n }, { idempotencyKey }),
    ],
    { deposits: [deposit1] },
  );
  for (const r of setup.receipts) expect(txStatusName(r.status)).toBe("Ok");
  return h;
}

type Case = {
  code: TxStatus;
  /** Entries before the rejected one (they must succeed). */
  prefix?: (h: Harness) => Uint8Array[];
  /** The rejected transaction, or a deposit. */
  tx?: (h: Harness) => Uint8Array;
  deposit?: Deposit;
  sigValid?: boolean;
};

const t = (sender: Uint8Array, payload: TxPayload, options?: TxOptions) => (h: Harness) =>
  h.tx(sender, payload, options);
const send = (amount: bigint): TxPayload => ({ type: "transfer", to: bob, amount });

const cases: Record<Exclude<keyof typeof TxStatus, "Ok">, Case> = {
  Malformed: { code: TxStatus.Malformed, tx: () => new Uint8Array([0xff, 0x00]) },
  ChainMismatch: { code: TxStatus.ChainMismatch, tx: t(alice, send(1n), { chainId: "other" }) },
  LaneMismatch: { code: TxStatus.LaneMismatch, tx: t(alice, send(1n), { lane: 2 }) },
  SignatureCountMismatch: {
    code: TxStatus.SignatureCountMismatch,
    tx: t(
      alice,
      { type: "trade", counterparty: bob, give: [{ type: "native", amount: 1n }], take: [] },
      {
        signatureCount: 1,
      },
    ),
  },
  SignatureInvalid: { code: TxStatus.SignatureInvalid, tx: t(alice, send(1n)), sigValid: false },
  NonceTooLow: { code: TxStatus.NonceTooLow, tx: t(alice, send(1n), { nonce: 0n }) },
  NonceTooHigh: { code: TxStatus.NonceTooHigh, tx: t(alice, send(1n), { nonce: 5n }) },
  IdempotencyKeyReused: { code: TxStatus.IdempotencyKeyReused, tx: t(alice, send(2n), { idempotencyKey }) },
  TipExceedsFeeCap: {
    code: TxStatus.TipExceedsFeeCap,
    tx: t(alice, send(1n), { maxFeePerGas: 20n, tipPerGas: 21n }),
  },
  FeeCapBelowBaseFee: {
    code: TxStatus.FeeCapBelowBaseFee,
    tx: t(alice, send(1n), { maxFeePerGas: 1n, tipPerGas: 0n }),
  },
  BlockGasLimitReached: {
    code: TxStatus.BlockGasLimitReached,
    prefix: (h) =>
      [1n, 2n, 3n, 4n, 5n].map((i) =>
        h.tx(carol, { type: "createToken", symbol: `A${i}`, decimals: 0, supplyMax: 1n }, { nonce: 5n + i }),
      ),
    tx: t(bob, send(1n)),
  },
  FeeUnpayable: { code: TxStatus.FeeUnpayable, tx: t(dave, send(1n)) },
  DepositAlreadyCredited: { code: TxStatus.DepositAlreadyCredited, deposit: deposit1 },
  AmountZero: { code: TxStatus.AmountZero, tx: t(alice, send(0n)) },
  SelfCounterparty: {
    code: TxStatus.SelfCounterparty,
    tx: t(alice, { type: "trade", counterparty: alice, give: [{ type: "native", amount: 1n }], take: [] }),
  },
  TradeEmpty: {
    code: TxStatus.TradeEmpty,
    tx: t(alice, { type: "trade", counterparty: bob, give: [], take: [] }),
  },
  TradeAssetDuplicate: {
    code: TxStatus.TradeAssetDuplicate,
    tx: t(alice, {
      type: "trade",
      counterparty: bob,
      give: [{ type: "item", itemId: sword }],
      take: [{ type: "item", itemId: sword }],
    }),
  },
  TokenSymbolInvalid: {
    code: TxStatus.TokenSymbolInvalid,
    tx: t(alice, { type: "createToken", symbol: "gold", decimals: 2, supplyMax: 10n }),
  },
  TokenDecimalsInvalid: {
    code: TxStatus.TokenDecimalsInvalid,
    tx: t(alice, { type: "createToken", symbol: "SILVER", decimals: 19, supplyMax: 10n }),
  },
  TokenExists: {
    code: TxStatus.TokenExists,
    tx: t(carol, { type: "createToken", symbol: "GOLD", decimals: 2, supplyMax: 10n }),
  },
  TokenUnknown: {
    code: TxStatus.TokenUnknown,
    tx: t(alice, { type: "transferToken", tokenId: tokenIdOf(bob, "NOPE"), to: bob, amount: 1n }),
  },
  NotTokenIssuer: {
    code: TxStatus.NotTokenIssuer,
    tx: t(alice, { type: "mintToken", tokenId: gold, to: alice, amount: 1n }),
  },
  TokenSupplyMaxExceeded: {
    code: TxStatus.TokenSupplyMaxExceeded,
    tx: t(carol, { type: "mintToken", tokenId: gold, to: alice, amount: 999_001n }),
  },
  ItemReferenceConflict: {
    code: TxStatus.ItemReferenceConflict,
    tx: t(carol, { type: "mintItem", referenceId: bytes("sword"), owner: alice, metadata: bytes("+9") }),
  },
  ItemUnknown: {
    code: TxStatus.ItemUnknown,
    tx: t(alice, { type: "burnItem", itemId: itemIdOf(carol, bytes("x")) }),
  },
  ItemBurned: { code: TxStatus.ItemBurned, tx: t(carol, { type: "transferItem", itemId: relic, to: bob }) },
  NotItemOwner: {
    code: TxStatus.NotItemOwner,
    tx: t(alice, { type: "transferItem", itemId: axe, to: alice }),
  },
  BalanceInsufficient: {
    code: TxStatus.BalanceInsufficient,
    tx: t(alice, { type: "transferToken", tokenId: gold, to: bob, amount: 1_001n }),
  },
  AmountOverflow: {
    code: TxStatus.AmountOverflow,
    deposit: {
      depositId: new Uint8Array(32).fill(9),
      recipient: alice,
      asset: NATIVE_ASSET,
      amount: U128_MAX,
    },
  },
};

const encodeWrites = (ws: { key: Uint8Array; value: Uint8Array | null }[]) =>
  ws.map((w) => `${toHex(w.key)}=${w.value === null ? "-" : toHex(w.value)}`);

describe("lane STF rejections", () => {
  let h: Harness;
  beforeAll(() => {
    h = world();
  });

  it("has a case for every code", () => {
    const named = Object.keys(TxStatus).filter((n) => n !== "Ok");
    expect(Object.keys(cases).sort()).toEqual(named.sort());
  });

  for (const [name, c] of Object.entries(cases)) {
    it(`${name} (${c.code}): receipt carries the code and state is unchanged`, () => {
      const prefix = c.prefix?.(h) ?? [];
      const bad = c.tx?.(h);
      const txs = bad ? [...prefix, bad] : prefix;
      const sigValid = txs.map((_, i) => (bad && i === txs.length - 1 ? (c.sigValid ?? true) : true));
      const deposits = c.deposit ? [c.deposit] : [];
      const withBad = h.execute(txs, { deposits, sigValid });
      const without = h.execute(prefix, {});
      const badIndex = bad ? withBad.receipts.length - 1 : 0;
      const receipt = withBad.receipts[badIndex]!;
      expect(txStatusName(receipt.status)).toBe(name);
      expect(receipt.feePaid).toBe(0n);
      expect(receipt.gasUsed).toBe(0n);
      for (const r of withBad.receipts) if (r !== receipt) expect(txStatusName(r.status)).toBe("Ok");
      expect(encodeWrites(withBad.writes)).toEqual(encodeWrites(without.writes));
      expect(withBad.supplyDelta).toEqual(without.supplyDelta);
    });
  }

  it("reports the earliest code by precedence when several checks fail", () => {
    const bad = h.tx(dave, { type: "transfer", to: bob, amount: 0n }, { chainId: "other", nonce: 9n });
    expect(h.execute([bad], { sigValid: [false] }).receipts[0]!.status).toBe(TxStatus.ChainMismatch);
    const trade = h.tx(alice, {
      type: "trade",
      counterparty: alice,
      give: [{ type: "native", amount: 0n }],
      take: [{ type: "item", itemId: axe }],
    });
    expect(h.execute([trade]).receipts[0]!.status).toBe(TxStatus.AmountZero);
  });
});
