import { toHex, utf8 } from "../../shared/bytes.ts";
import { mintItemPayload } from "../../shared/sdk/payloads.ts";
import { itemIdOf } from "../../shared/stf/records.ts";
import type { BitlayerClientBase } from "../client.ts";
import { type LaneAddress, publicKeyOf } from "../internal.ts";
import type { PrepareTransactionParameters } from "./prepareTransaction.ts";
import {
  type SendTransactionErrorType,
  type SendTransactionReturnType,
  sendTransaction,
} from "./sendTransaction.ts";

export type MintItemParameters = Omit<PrepareTransactionParameters, "payload" | "cosigners"> & {
  /** The game's own id for the item (text or bytes, ≤ 64 bytes): a retried mint is detected by it. */
  referenceId: string | Uint8Array;
  owner: LaneAddress;
  /** Opaque to the ledger (e.g. JSON), ≤ 1 KiB. Default empty. */
  metadata?: string | Uint8Array;
};
export type MintItemReturnType = SendTransactionReturnType & {
  /** itemIdOf(game, referenceId), hex: what transferItem, trade and getItem take. */
  itemId: string;
};
export type MintItemErrorType = SendTransactionErrorType;

const bytesOf = (v: string | Uint8Array | undefined): Uint8Array =>
  v === undefined ? new Uint8Array() : typeof v === "string" ? utf8(v) : v;

/**
 * Creates a game item (a unique asset, like an NFT) owned by `owner`; the
 * sender is the item's game. Items are created by minting: `createItem` is the same action.
 *
 * @example
 * const { itemId } = await client.mintItem({
 *   account: game, referenceId: "sword-17", owner: player.publicKey, metadata: '{"atk":7}',
 * });
 */
export async function mintItem(
  client: BitlayerClientBase,
  p: MintItemParameters,
): Promise<MintItemReturnType> {
  const { referenceId, owner, metadata, ...rest } = p;
  const reference = bytesOf(referenceId);
  const result = await sendTransaction(client, {
    ...rest,
    payload: mintItemPayload({
      referenceId: reference,
      owner: publicKeyOf(owner, "owner"),
      metadata: bytesOf(metadata),
    }),
  });
  return { ...result, itemId: toHex(itemIdOf(p.account.publicKey, reference)) };
}

/** Alias of mintItem: an item comes into existence by being minted. */
export const createItem = mintItem;
