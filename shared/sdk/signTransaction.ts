import { equalBytes, toHex } from "../bytes.ts";
import { encode } from "../codec/index.ts";
import type { InvalidKeyErrorType } from "../crypto/errors.ts";
import { TX_BYTES_MAX } from "../stf/limits.ts";
import { requiredSigners, type SignedTx, signedTxCodec, type TxBody } from "../stf/tx.ts";
import {
  InvalidTransactionError,
  type InvalidTransactionErrorType,
  MissingSignerError,
  type MissingSignerErrorType,
} from "./errors.ts";
import { getTransactionSignBytes } from "./getTransactionSignBytes.ts";
import type { Account } from "./secretKeyToAccount.ts";

export type SignTransactionParameters = {
  transaction: TxBody;
  /** Accounts of every required signer, in any order: the sender, and for a trade the counterparty. */
  accounts: readonly Account[];
};
export type SignTransactionReturnType = SignedTx;
export type SignTransactionErrorType =
  | MissingSignerErrorType
  | InvalidTransactionErrorType
  | InvalidKeyErrorType;

/**
 * Signs a transaction with the accounts of its required signers and returns
 * it with the signatures in signer order ([sender] or [sender, counterparty]).
 * Every signer signs the same domain-separated bytes (getTransactionSignBytes).
 *
 * @example
 * const signed = signTransaction({ transaction: tx, accounts: [alice] });
 * const wire = serializeTransaction({ transaction: signed });
 */
export function signTransaction({
  transaction,
  accounts,
}: SignTransactionParameters): SignTransactionReturnType {
  const message = getTransactionSignBytes({ transaction });
  const signatures = requiredSigners(transaction).map((publicKey, index) => {
    const account = accounts.find((a) => equalBytes(a.publicKey, publicKey));
    if (!account) throw new MissingSignerError(toHex(publicKey), index === 0 ? "sender" : "counterparty");
    return account.sign(message);
  });
  const signed: SignedTx = { body: transaction, signatures };
  const size = encode(signedTxCodec, signed).length;
  if (size > TX_BYTES_MAX) {
    throw new InvalidTransactionError(
      `The signed transaction is ${size} bytes; a lane accepts at most ${TX_BYTES_MAX}.`,
      "",
    );
  }
  return signed;
}
