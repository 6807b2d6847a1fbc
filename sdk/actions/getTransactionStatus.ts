import type { BitlayerClientBase } from "../client.ts";
import { NotFoundError } from "../errors.ts";
import type { FinalityStatus, ReceiptView } from "../types.ts";
import { type GetReceiptErrorType, getReceipt } from "./getReceipt.ts";

export type GetTransactionStatusParameters = { hash: string };
export type GetTransactionStatusReturnType =
  | { status: "unknown"; receipt: null }
  | { status: FinalityStatus; receipt: ReceiptView };
export type GetTransactionStatusErrorType = Exclude<GetReceiptErrorType, NotFoundError>;

/**
 * Where a transaction is on the finality ladder: "unknown" (the lane has no
 * receipt for it), "soft", "checkpointed", "settled" or "final".
 *
 * @example
 * const { status } = await client.getTransactionStatus({ hash });
 * if (status === "final") showPaid();
 */
export async function getTransactionStatus(
  client: BitlayerClientBase,
  p: GetTransactionStatusParameters,
): Promise<GetTransactionStatusReturnType> {
  try {
    const receipt = await getReceipt(client, p);
    return { status: receipt.finality, receipt };
  } catch (error) {
    if (error instanceof NotFoundError) return { status: "unknown", receipt: null };
    throw error;
  }
}
