/**
 * Typed builders for the payload of each lane transaction type
 * (docs/spec/lane-transactions.md, "Payloads"). Each returns the
 * `{ type, ...fields }` value that `buildTransaction` puts in a TxBody; the
 * ranges and lengths are checked there, against the canonical codec.
 */
import type { TradeAsset, TxPayload } from "../stf/tx.ts";

export type PayloadOf<T extends TxPayload["type"]> = Extract<TxPayload, { type: T }>;
type Fields<T extends TxPayload["type"]> = Omit<PayloadOf<T>, "type">;

/**
 * Moves `amount` of the native token to `to`.
 * @example buildTransaction({ ...common, payload: transferPayload({ to: bob.publicKey, amount: 10n }) })
 */
export const transferPayload = (p: Fields<"transfer">): PayloadOf<"transfer"> => ({ type: "transfer", ...p });

/**
 * Creates a token with `symbol`, `decimals` and a maximum supply; its id is tokenIdOf(sender, symbol).
 * @example createTokenPayload({ symbol: "GOLD", decimals: 2, supplyMax: 1_000_000n })
 */
export const createTokenPayload = (p: Fields<"createToken">): PayloadOf<"createToken"> => ({
  type: "createToken",
  ...p,
});

/**
 * Mints `amount` of a token the sender issued to `to`.
 * @example mintTokenPayload({ tokenId, to: alice.publicKey, amount: 500n })
 */
export const mintTokenPayload = (p: Fields<"mintToken">): PayloadOf<"mintToken"> => ({
  type: "mintToken",
  ...p,
});

/**
 * Moves `amount` of token `tokenId` to `to`.
 * @example transferTokenPayload({ tokenId, to: bob.publicKey, amount: 5n })
 */
export const transferTokenPayload = (p: Fields<"transferToken">): PayloadOf<"transferToken"> => ({
  type: "transferToken",
  ...p,
});

/**
 * Mints a game item owned by `owner`; `referenceId` makes a retried mint detectable.
 * @example mintItemPayload({ referenceId: utf8("sword-17"), owner: alice.publicKey, metadata: new Uint8Array() })
 */
export const mintItemPayload = (p: Fields<"mintItem">): PayloadOf<"mintItem"> => ({ type: "mintItem", ...p });

/**
 * Gives item `itemId` to `to`.
 * @example transferItemPayload({ itemId, to: bob.publicKey })
 */
export const transferItemPayload = (p: Fields<"transferItem">): PayloadOf<"transferItem"> => ({
  type: "transferItem",
  ...p,
});

/**
 * Destroys item `itemId`.
 * @example burnItemPayload({ itemId })
 */
export const burnItemPayload = (p: Fields<"burnItem">): PayloadOf<"burnItem"> => ({ type: "burnItem", ...p });

/**
 * Swaps `give` (from the sender) for `take` (from `counterparty`), all or nothing; both parties sign.
 * @example tradePayload({ counterparty: bob.publicKey, give: [nativeAsset(100n)], take: [itemAsset(itemId)] })
 */
export const tradePayload = (p: Fields<"trade">): PayloadOf<"trade"> => ({ type: "trade", ...p });

/**
 * Withdraws `amount` of `asset` to `recipient` on settlement, once the checkpoint holding it is final.
 * @example withdrawPayload({ asset: NATIVE_ASSET, amount: 1_000n, recipient: alice.publicKey })
 */
export const withdrawPayload = (p: Fields<"withdraw">): PayloadOf<"withdraw"> => ({ type: "withdraw", ...p });

/** A trade leg of the native token. */
export const nativeAsset = (amount: bigint): TradeAsset => ({ type: "native", amount });
/** A trade leg of a token. */
export const tokenAsset = (tokenId: Uint8Array, amount: bigint): TradeAsset => ({
  type: "token",
  tokenId,
  amount,
});
/** A trade leg of one item. */
export const itemAsset = (itemId: Uint8Array): TradeAsset => ({ type: "item", itemId });
