/**
 * Mempool admission of a settlement transaction against committed state: the
 * checks that cost the ledger nothing if they fail (ledger/codes.ts below
 * FEE_CHARGED_FROM), run before a transaction may take mempool space. The
 * in-memory backend uses it; the node's mempool may too.
 */
import { toHex } from "../../shared/bytes.ts";
import { CodecError } from "../../shared/codec/index.ts";
import { verifyMany } from "../../shared/crypto/index.ts";
import type { StateReader } from "../../shared/state.ts";
import { accountAddressOf } from "../ledger/address.ts";
import { Books } from "../ledger/books.ts";
import { LedgerStatus } from "../ledger/codes.ts";
import {
  checkpointBodyOf,
  checkpointSignBytes,
  decodeSettlementTx,
  settlementTxHash,
  settlementTxSignBytes,
  type VerifiedTx,
  verifySettlementTx,
} from "../ledger/tx.ts";
import { MempoolRefusal } from "./backend.ts";

export type Admission =
  | { accepted: true; hash: Uint8Array; verified: VerifiedTx }
  | { accepted: false; hash: Uint8Array; code: number; message: string };

/**
 * verifySettlementTx with the asynchronous shared/crypto policy: every
 * signature the transaction carries is checked in one verifyMany, then the
 * ledger's synchronous decoder reads the answers. Throws CodecError on
 * non-canonical bytes.
 */
export async function verifySettlementTxAsync(txBytes: Uint8Array, chainId: string): Promise<VerifiedTx> {
  const tx = decodeSettlementTx(txBytes);
  const { body } = tx;
  const items = [
    { publicKey: body.sender, message: settlementTxSignBytes(chainId, body), signature: tx.signature },
  ];
  const p = body.payload;
  if (p.type === "postCheckpoint")
    items.push({
      publicKey: p.sequencer,
      message: checkpointSignBytes(chainId, checkpointBodyOf(p)),
      signature: p.sequencerSignature,
    });
  const results = await verifyMany(items);
  const answers = new Map(items.map((item, i) => [answerKey(item.publicKey, item.signature), results[i]!]));
  return verifySettlementTx(txBytes, chainId, (publicKey, _message, signature) => {
    return answers.get(answerKey(publicKey, signature)) ?? false;
  });
}

const answerKey = (publicKey: Uint8Array, signature: Uint8Array) => `${toHex(publicKey)}:${toHex(signature)}`;

/**
 * `nonceNext(address)` is the next nonce the mempool expects from an account
 * with pending transactions (undefined: none pending, use the committed nonce).
 */
export async function admitSettlementTx(
  state: StateReader,
  chainId: string,
  txBytes: Uint8Array,
  nonceNext: (senderAddress: Uint8Array) => bigint | undefined = () => undefined,
): Promise<Admission> {
  const hash = settlementTxHash(txBytes);
  const refuse = (code: number, message: string): Admission => ({ accepted: false, hash, code, message });
  let verified: VerifiedTx;
  try {
    verified = await verifySettlementTxAsync(txBytes, chainId);
  } catch (e) {
    if (e instanceof CodecError) return refuse(MempoolRefusal.Malformed, e.message);
    throw e;
  }
  const { body } = verified.tx;
  if (!verified.sigValid)
    return refuse(
      LedgerStatus.SignatureInvalid,
      `The signature does not verify over chain "${chainId}": wrong key, wrong chain id or an altered body.`,
    );
  const books = new Books(state);
  const senderAddress = accountAddressOf(body.sender);
  const account = books.account(senderAddress);
  const expected = nonceNext(senderAddress) ?? account.nonce;
  if (body.nonce < expected)
    return refuse(
      MempoolRefusal.NonceReplayed,
      `Nonce ${body.nonce} of ${toHex(senderAddress)} is already used; the next one is ${expected}.`,
    );
  if (body.nonce > expected)
    return refuse(
      LedgerStatus.NonceMismatch,
      `Nonce ${body.nonce} skips ahead; the next one is ${expected}.`,
    );
  const feeMin = books.params().txFeeMin;
  if (body.fee < feeMin) return refuse(LedgerStatus.FeeBelowMinimum, `Fee ${body.fee} is below ${feeMin}.`);
  if (account.balance < body.fee)
    return refuse(LedgerStatus.FeeUnaffordable, `Fee ${body.fee} exceeds the balance ${account.balance}.`);
  return { accepted: true, hash, verified };
}
