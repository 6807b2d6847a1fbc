/** Property tests of the lane STF: conservation of every asset, and all-or-nothing trades. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import {
  collectionIdOf,
  executeBlock,
  genesisWrites,
  itemIdOf,
  LaneHarness,
  LaneView,
  MemoryState,
  NATIVE_ASSET,
  outstandingOf,
  type TradeAsset,
  TxStatus,
  testAddress,
  tokenIdOf,
} from "../../shared/stf/index.ts";
import { Workload } from "../../shared/stf/workload.ts";

describe("conservation", () => {
  it("every asset's holdings equal its outstanding supply after every block of a random workload", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 60 }),
        (seed, invalidPercent) => {
          const w = new Workload({ seed, accountCount: 24, txsPerBlock: 60, invalidPercent });
          const state = new MemoryState();
          state.apply(genesisWrites(w.genesis));
          const read = new LaneView(state);
          const holders = [
            ...w.accounts,
            w.sequencer,
            w.genesis.params.validatorsAccount,
            w.genesis.params.treasuryAccount,
          ];
          let baseFee = w.genesis.baseFeePerGas;
          for (let b = 0; b < 4; b++) {
            const { block, sigValid } = w.nextBlock(state, baseFee);
            const result = executeBlock(state, block, sigValid);
            state.apply(result.writes);
            baseFee = result.nextBaseFeePerGas;
            for (const asset of [NATIVE_ASSET, ...w.tokens]) {
              const held = holders.reduce((sum, a) => sum + read.balance(a, asset), 0n);
              expect(held, `asset ${toHex(asset)}`).toBe(outstandingOf(read.supply(asset)));
            }
            const liveByGame = new Map<string, bigint>();
            for (const id of new Map(w.items.map((i) => [toHex(i), i])).values()) {
              const item = read.item(id);
              if (item && !item.burned)
                liveByGame.set(toHex(item.game), (liveByGame.get(toHex(item.game)) ?? 0n) + 1n);
            }
            for (const game of w.accounts)
              expect(liveByGame.get(toHex(game)) ?? 0n).toBe(
                outstandingOf(read.supply(collectionIdOf(game))),
              );
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe("atomic trades", () => {
  const alice = testAddress("alice");
  const bob = testAddress("bob");
  const carol = testAddress("carol");
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const gold = tokenIdOf(carol, "GOLD");
  const gem = tokenIdOf(carol, "GEM");
  const itemRefs = ["a1", "a2", "b1", "b2", "nobody"];

  function world(): LaneHarness {
    const h = new LaneHarness([
      { owner: alice, amount: 1_000_000n },
      { owner: bob, amount: 1_000_000n },
      { owner: carol, amount: 1_000_000n },
    ]);
    const c = (nonce: bigint, p: Parameters<LaneHarness["tx"]>[1]) => h.tx(carol, p, { nonce });
    const r = h.commit([
      c(0n, { type: "createToken", symbol: "GOLD", decimals: 0, supplyMax: 10_000n }),
      c(1n, { type: "createToken", symbol: "GEM", decimals: 0, supplyMax: 10_000n }),
      c(2n, { type: "mintToken", tokenId: gold, to: alice, amount: 100n }),
      c(3n, { type: "mintToken", tokenId: gem, to: bob, amount: 100n }),
      ...["a1", "a2", "b1", "b2"].map((ref, i) =>
        c(4n + BigInt(i), {
          type: "mintItem",
          referenceId: utf8(ref),
          owner: ref[0] === "a" ? alice : bob,
          metadata: utf8(ref),
        }),
      ),
    ]);
    for (const x of r.receipts) expect(x.status).toBe(TxStatus.Ok);
    return h;
  }

  const asset: fc.Arbitrary<TradeAsset> = fc.oneof(
    fc.record({ type: fc.constant("native" as const), amount: fc.bigInt({ min: 0n, max: 600_000n }) }),
    fc.record({
      type: fc.constant("token" as const),
      tokenId: fc.constantFrom(gold, gem),
      amount: fc.bigInt({ min: 0n, max: 110n }),
    }),
    fc.record({
      type: fc.constant("item" as const),
      itemId: fc.constantFrom(...itemRefs.map((r) => itemIdOf(carol, utf8(r)))),
    }),
  );

  it("moves every asset of both sides, or nothing at all", () => {
    const h = world();
    const holdings = (who: Uint8Array) => ({
      native: h.balance(who, NATIVE_ASSET),
      gold: h.balance(who, gold),
      gem: h.balance(who, gem),
    });
    let successes = 0;
    fc.assert(
      fc.property(
        fc.array(asset, { maxLength: 2 }),
        fc.array(asset, { maxLength: 2 }),
        fc.boolean(),
        (give, take, bobSigned) => {
          const tx = h.tx(alice, { type: "trade", counterparty: bob, give, take });
          const result = h.execute([tx], { sigValid: [bobSigned] });
          const receipt = result.receipts[0]!;
          const empty = h.execute([]);
          if (receipt.status !== TxStatus.Ok) {
            expect(result.writes.map((w) => toHex(w.key))).toEqual(empty.writes.map((w) => toHex(w.key)));
            expect(result.writes.map((w) => (w.value ? toHex(w.value) : "-"))).toEqual(
              empty.writes.map((w) => (w.value ? toHex(w.value) : "-")),
            );
            if (!bobSigned) expect(receipt.status).toBe(TxStatus.SignatureInvalid);
            return;
          }
          expect(bobSigned).toBe(true);
          successes++;
          // Read the post-state through an overlay of the committed state and this block's writes.
          const postState = { get: (k: Uint8Array) => overlayGet(h, result.writes, k) };
          const view = new LaneView(postState);
          const sum = (side: TradeAsset[], t: "native" | "token", id?: Uint8Array) =>
            side.reduce(
              (s, a) =>
                s +
                (a.type === t && (a.type === "native" || (id && toHex(a.tokenId) === toHex(id)))
                  ? a.amount
                  : 0n),
              0n,
            );
          const before = { alice: holdings(alice), bob: holdings(bob) };
          const fee = receipt.feePaid;
          expect(view.balance(alice, NATIVE_ASSET)).toBe(
            before.alice.native - fee - sum(give, "native") + sum(take, "native"),
          );
          expect(view.balance(bob, NATIVE_ASSET)).toBe(
            before.bob.native + sum(give, "native") - sum(take, "native"),
          );
          for (const [id, k] of [
            [gold, "gold"],
            [gem, "gem"],
          ] as const) {
            expect(view.balance(alice, id)).toBe(
              before.alice[k] - sum(give, "token", id) + sum(take, "token", id),
            );
            expect(view.balance(bob, id)).toBe(
              before.bob[k] + sum(give, "token", id) - sum(take, "token", id),
            );
          }
          for (const a of give)
            if (a.type === "item") expect(toHex(view.item(a.itemId)!.owner)).toBe(toHex(bob));
          for (const a of take)
            if (a.type === "item") expect(toHex(view.item(a.itemId)!.owner)).toBe(toHex(alice));
        },
      ),
      { numRuns: 300 },
    );
    // The property is only meaningful if both outcomes occur.
    expect(successes).toBeGreaterThan(10);
  });
});

function overlayGet(
  h: LaneHarness,
  writes: { key: Uint8Array; value: Uint8Array | null }[],
  key: Uint8Array,
) {
  const hex = toHex(key);
  for (const w of writes) if (toHex(w.key) === hex) return w.value ?? undefined;
  return h.state.get(key);
}
