import { toHex } from "../../shared/bytes.ts";
import { createTokenPayload } from "../../shared/sdk/payloads.ts";
import { tokenIdOf } from "../../shared/stf/records.ts";
import type { BitlayerClientBase } from "../client.ts";
import type { PrepareTransactionParameters } from "./prepareTransaction.ts";
import {
  type SendTransactionErrorType,
  type SendTransactionReturnType,
  sendTransaction,
} from "./sendTransaction.ts";

export type CreateTokenParameters = Omit<PrepareTransactionParameters, "payload" | "cosigners"> & {
  /** 1–12 characters A–Z, 0–9 (docs/spec/lane-transactions.md). */
  symbol: string;
  decimals: number;
  /** The most that can ever be minted, in base units. */
  supplyMax: bigint;
};
export type CreateTokenReturnType = SendTransactionReturnType & {
  /** tokenIdOf(issuer, symbol), hex: what mintToken and token reads take. */
  tokenId: string;
};
export type CreateTokenErrorType = SendTransactionErrorType;

/**
 * Creates a token issued by `account`; only the issuer can mint it.
 *
 * @example
 * const { tokenId } = await client.createToken({ account: game, symbol: "GOLD", decimals: 2, supplyMax: 10n ** 12n });
 */
export async function createToken(
  client: BitlayerClientBase,
  p: CreateTokenParameters,
): Promise<CreateTokenReturnType> {
  const { symbol, decimals, supplyMax, ...rest } = p;
  const result = await sendTransaction(client, {
    ...rest,
    payload: createTokenPayload({ symbol, decimals, supplyMax }),
  });
  return { ...result, tokenId: toHex(tokenIdOf(p.account.publicKey, symbol)) };
}
