/** Helpers the actions share: key forms, the sequencer key, receipt checks, nonces, fee caps. */
import { fromHex, toHex } from "../shared/bytes.ts";
import { decode } from "../shared/codec/index.ts";
import { type SignedLaneReceipt, signedLaneReceiptCodec, verifyReceipt } from "../shared/lane/receipt.ts";
import type { Account } from "../shared/sdk/secretKeyToAccount.ts";
import type { BitlayerClientBase } from "./client.ts";
import { ClientConfigError, VerificationError } from "./errors.ts";
import { edgeRequest, settlementRequest } from "./request.ts";
import type { LaneStatus, ProvenRead, ReceiptView, SettlementLane } from "./types.ts";

/** A lane address: an Account, its 32-byte public key, or that key as hex (with or without 0x). */
export type LaneAddress = Account | Uint8Array | string;

export function publicKeyOf(who: LaneAddress, field: string): Uint8Array {
  if (who instanceof Uint8Array) {
    if (who.length !== 32) throw new ClientConfigError(field, `${field} must be a 32-byte public key.`);
    return who;
  }
  if (typeof who === "string") {
    const hex = who.startsWith("0x") ? who.slice(2) : who;
    if (!/^[0-9a-fA-F]{64}$/.test(hex))
      throw new ClientConfigError(field, `${field} must be a 32-byte public key in hex, got "${who}".`);
    return fromHex(hex.toLowerCase());
  }
  return who.publicKey;
}

export const strip0x = (hex: string): string => (hex.startsWith("0x") ? hex.slice(2) : hex).toLowerCase();

/**
 * The lane's sequencer key: from settlement's lane record when the client
 * knows validators (what the lane registered with its bond), else from the
 * edge's status (trust on first use).
 */
export async function sequencerKey(client: BitlayerClientBase): Promise<Uint8Array> {
  if (client.cache.sequencer) return client.cache.sequencer;
  const hex =
    client.settlementUrls.length > 0
      ? (await settlementRequest<SettlementLane>(client, `/v1/lanes/${client.lane}`)).sequencer
      : (await edgeRequest<LaneStatus>(client, `/v1/lanes/${client.lane}/status`)).sequencer;
  const key = fromHex(strip0x(hex));
  client.cache.sequencer = key;
  return key;
}

/**
 * Checks a receipt the edge returned: its encoded bytes are what the JSON
 * says, it is for this chain, lane and (when given) transaction, and the
 * sequencer signed it. Throws VerificationError otherwise.
 */
export async function checkReceipt(
  client: BitlayerClientBase,
  view: ReceiptView,
  expectedHash?: string,
): Promise<ReceiptView> {
  let signed: SignedLaneReceipt;
  try {
    signed = decode(signedLaneReceiptCodec, fromHex(strip0x(view.encoded)));
  } catch (error) {
    throw new VerificationError("receipt.encoded", "The receipt's bytes do not decode.", { cause: error });
  }
  const r = signed.receipt;
  const mismatch =
    r.chainId !== client.chainId
      ? "chainId"
      : r.lane !== client.lane
        ? "lane"
        : toHex(r.txHash) !== strip0x(view.receipt.txHash)
          ? "txHash"
          : expectedHash !== undefined && toHex(r.txHash) !== strip0x(expectedHash)
            ? "txHash (not the transaction asked for)"
            : toHex(r.stateRoot) !== strip0x(view.receipt.stateRoot) ||
                r.height.toString() !== view.receipt.height
              ? "stateRoot/height"
              : null;
  if (mismatch) throw new VerificationError("receipt", `The receipt's ${mismatch} does not match.`);
  if (client.verifyReceipts && !(await verifyReceipt(signed, await sequencerKey(client))))
    throw new VerificationError(
      "receipt.signature",
      "The receipt is not signed by the lane's sequencer key (the key settlement holds for the lane).",
    );
  return view;
}

/**
 * The next nonce for `sender`, reserved: concurrent calls get consecutive
 * nonces. The first call reads the lane account; forgetNonce resyncs after a
 * failed send.
 */
export function reserveNonce(client: BitlayerClientBase, sender: Uint8Array): Promise<bigint> {
  const key = toHex(sender);
  const current =
    client.nonces.get(key) ??
    edgeRequest<ProvenRead<{ nonce: string }>>(client, `/v1/lanes/${client.lane}/accounts/${key}`).then((a) =>
      BigInt(a.value.nonce),
    );
  client.nonces.set(
    key,
    current.then((n) => n + 1n),
  );
  current.catch(() => client.nonces.delete(key));
  return current;
}

export function forgetNonce(client: BitlayerClientBase, sender: Uint8Array): void {
  client.nonces.delete(toHex(sender));
}

/** The client's fee cap, or twice the lane's current base fee (at least 1). */
export async function feeCapOf(client: BitlayerClientBase, given: bigint | undefined): Promise<bigint> {
  if (given !== undefined) return given;
  if (client.maxFeePerGas !== undefined) return client.maxFeePerGas;
  const status = await edgeRequest<LaneStatus>(client, `/v1/lanes/${client.lane}/status`);
  const base = BigInt(status.baseFeePerGas);
  return base > 0n ? base * 2n : 1n;
}
