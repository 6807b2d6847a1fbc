import { fromHex } from "../../shared/bytes.ts";
import { mintTokenPayload } from "../../shared/sdk/payloads.ts";
import type { BitlayerClientBase } from "../client.ts";
import { type LaneAddress, publicKeyOf, strip0x } from "../internal.ts";
import type { PrepareTransactionParameters } from "./prepareTransaction.ts";
import {
  type SendTransactionErrorType,
  type SendTransactionReturnType,
  sendTransaction,
} from "./sendTransaction.ts";

export type MintTokenParameters = Omit<PrepareTransactionParameters, "payload" | "cosigners"> & {
  /** From createToken (hex) or tokenIdOf. */
  tokenId: string | Uint8Array;
  to: LaneAddress;
  amount: bigint;
};
export type MintTokenReturnType = SendTransactionReturnType;
export type MintTokenErrorType = SendTransactionErrorType;

/**
 * Mints `amount` of a token the sender issued to `to`.
 *
 * @example
 * await client.mintToken({ account: game, tokenId, to: player.publicKey, amount: 500n });
 */
export function mintToken(client: BitlayerClientBase, p: MintTokenParameters): Promise<MintTokenReturnType> {
  const { tokenId, to, amount, ...rest } = p;
  return sendTransaction(client, {
    ...rest,
    payload: mintTokenPayload({
      tokenId: typeof tokenId === "string" ? fromHex(strip0x(tokenId)) : tokenId,
      to: publicKeyOf(to, "to"),
      amount,
    }),
  });
}
