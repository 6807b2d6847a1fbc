import { addressFromPublicKey, formatAddress } from "../../shared/crypto/address.ts";
import type { Account } from "../../shared/sdk/secretKeyToAccount.ts";
import type { BitlayerClientBase } from "../client.ts";
import type { SettlementUnavailableErrorType } from "../errors.ts";
import { settlementRequestOrNull } from "../request.ts";

export type GetSettlementAccountParameters = {
  /** An Account, a 32-byte public key, or a settlement address "bl…". */
  address: Account | Uint8Array | string;
};
export type GetSettlementAccountReturnType = {
  address: string;
  balance: bigint;
  nonce: bigint;
  /** False when settlement has never seen the account (balance and nonce 0). */
  exists: boolean;
};
export type GetSettlementAccountErrorType = SettlementUnavailableErrorType;

/** The settlement address ("bl" + 40 hex) of an account, public key or address. */
export function settlementAddressOf(who: Account | Uint8Array | string): string {
  if (typeof who === "string") return who;
  return who instanceof Uint8Array ? formatAddress(addressFromPublicKey(who)) : who.address;
}

/**
 * A settlement account's native balance and next nonce (failover across validators).
 *
 * @example
 * const { balance } = await client.getSettlementAccount({ address: alice });
 */
export async function getSettlementAccount(
  client: BitlayerClientBase,
  p: GetSettlementAccountParameters,
): Promise<GetSettlementAccountReturnType> {
  const address = settlementAddressOf(p.address);
  const a = await settlementRequestOrNull<{ address: string; balance: string; nonce: string }>(
    client,
    `/v1/accounts/${address}`,
  );
  return a
    ? { address, balance: BigInt(a.balance), nonce: BigInt(a.nonce), exists: true }
    : { address, balance: 0n, nonce: 0n, exists: false };
}
