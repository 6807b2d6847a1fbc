import { toHex } from "../../shared/bytes.ts";
import { decode } from "../../shared/codec/index.ts";
import { accountCodec, balanceCodec, keys, NATIVE_ASSET } from "../../shared/stf/records.ts";
import type { BitlayerClientBase } from "../client.ts";
import type { HttpRequestErrorType, InvalidRequestErrorType, VerificationErrorType } from "../errors.ts";
import { type LaneAddress, publicKeyOf } from "../internal.ts";
import { provenValues } from "../proofs.ts";
import { edgeRequest } from "../request.ts";
import type { ProvenRead } from "../types.ts";

export type GetAccountParameters = {
  /** An Account, a 32-byte public key or its hex. */
  address: LaneAddress;
  /**
   * A state root you already trust (e.g. `receipt.receipt.stateRoot` of a verified receipt):
   * the read must be at exactly that root, or VerificationError.
   */
  stateRoot?: string;
};
export type GetAccountReturnType = {
  publicKey: string;
  nonce: bigint;
  balance: bigint;
  /** The root the values are proven against, and the lane height it belongs to. */
  stateRoot: string;
  height: bigint;
};
export type GetAccountErrorType = VerificationErrorType | InvalidRequestErrorType | HttpRequestErrorType;

/**
 * A lane account's nonce and native balance, proven: the SDK derives the
 * state keys itself, checks the edge's Merkle multiproof against the state
 * root, and decodes the proven bytes (it never trusts the JSON values). Pass
 * `stateRoot` from a verified receipt to tie the read to the sequencer's signature.
 *
 * @example
 * const { receipt } = await client.transfer({ account: alice, to: bob.publicKey, amount: 5n });
 * const bobAccount = await client.getAccount({ address: bob, stateRoot: receipt.receipt.stateRoot });
 * console.log(bobAccount.balance);
 */
export async function getAccount(
  client: BitlayerClientBase,
  p: GetAccountParameters,
): Promise<GetAccountReturnType> {
  const owner = publicKeyOf(p.address, "address");
  const read = await edgeRequest<ProvenRead<unknown>>(
    client,
    `/v1/lanes/${client.lane}/accounts/${toHex(owner)}`,
  );
  const [acc, bal] = provenValues(
    read,
    [keys.account(owner), keys.balance(owner, NATIVE_ASSET)],
    "account",
    p.stateRoot,
  );
  return {
    publicKey: toHex(owner),
    nonce: acc ? decode(accountCodec, acc).nonce : 0n,
    balance: bal ? decode(balanceCodec, bal).amount : 0n,
    stateRoot: read.stateRoot,
    height: BigInt(read.height),
  };
}
