import { fromHex, toHex } from "../../shared/bytes.ts";
import { decode } from "../../shared/codec/index.ts";
import { balanceCodec, keys, type TokenRecord, tokenCodec } from "../../shared/stf/records.ts";
import type { BitlayerClientBase } from "../client.ts";
import type { GetAccountErrorType } from "./getAccount.ts";
import { type LaneAddress, publicKeyOf, strip0x } from "../internal.ts";
import { provenValues } from "../proofs.ts";
import { edgeRequest } from "../request.ts";
import type { ProvenRead } from "../types.ts";

export type GetTokenBalanceParameters = {
  address: LaneAddress;
  tokenId: string | Uint8Array;
  stateRoot?: string;
};
export type GetTokenBalanceReturnType = {
  balance: bigint;
  /** The token's record (issuer, symbol, decimals, supplyMax), or null if no such token. */
  token: TokenRecord | null;
  stateRoot: string;
  height: bigint;
};
export type GetTokenBalanceErrorType = GetAccountErrorType;

/**
 * A token balance of a lane account and the token's record, both Merkle-proven (like getAccount).
 *
 * @example
 * const { balance, token } = await client.getTokenBalance({ address: player, tokenId });
 */
export async function getTokenBalance(
  client: BitlayerClientBase,
  p: GetTokenBalanceParameters,
): Promise<GetTokenBalanceReturnType> {
  const owner = publicKeyOf(p.address, "address");
  const tokenId = typeof p.tokenId === "string" ? fromHex(strip0x(p.tokenId)) : p.tokenId;
  const read = await edgeRequest<ProvenRead<unknown>>(
    client,
    `/v1/lanes/${client.lane}/accounts/${toHex(owner)}/tokens/${toHex(tokenId)}`,
  );
  const [tok, bal] = provenValues(
    read,
    [keys.token(tokenId), keys.balance(owner, tokenId)],
    "token",
    p.stateRoot,
  );
  return {
    balance: bal ? decode(balanceCodec, bal).amount : 0n,
    token: tok ? decode(tokenCodec, tok) : null,
    stateRoot: read.stateRoot,
    height: BigInt(read.height),
  };
}
