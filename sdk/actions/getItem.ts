import { fromHex, toHex } from "../../shared/bytes.ts";
import { decode } from "../../shared/codec/index.ts";
import { type ItemRecord, itemCodec, keys } from "../../shared/stf/records.ts";
import type { BitlayerClientBase } from "../client.ts";
import { strip0x } from "../internal.ts";
import { provenValues } from "../proofs.ts";
import { edgeRequest } from "../request.ts";
import type { ProvenRead } from "../types.ts";
import type { GetAccountErrorType } from "./getAccount.ts";

export type GetItemParameters = { itemId: string | Uint8Array; stateRoot?: string };
export type GetItemReturnType = { item: ItemRecord | null; stateRoot: string; height: bigint };
export type GetItemErrorType = GetAccountErrorType;

/**
 * A game item's record (game, owner, metadata, burned), Merkle-proven; `item` is null if it does not exist.
 *
 * @example
 * const { item } = await client.getItem({ itemId });
 * console.log(toHex(item!.owner));
 */
export async function getItem(client: BitlayerClientBase, p: GetItemParameters): Promise<GetItemReturnType> {
  const itemId = typeof p.itemId === "string" ? fromHex(strip0x(p.itemId)) : p.itemId;
  const read = await edgeRequest<ProvenRead<unknown>>(
    client,
    `/v1/lanes/${client.lane}/items/${toHex(itemId)}`,
  );
  const [it] = provenValues(read, [keys.item(itemId)], "item", p.stateRoot);
  return { item: it ? decode(itemCodec, it) : null, stateRoot: read.stateRoot, height: BigInt(read.height) };
}
