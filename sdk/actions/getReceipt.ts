import type { BitlayerClientBase } from "../client.ts";
import type { HttpRequestErrorType, NotFoundErrorType, VerificationErrorType } from "../errors.ts";
import { checkReceipt, strip0x } from "../internal.ts";
import { edgeRequest } from "../request.ts";
import type { ReceiptView } from "../types.ts";

export type GetReceiptParameters = { hash: string };
export type GetReceiptReturnType = ReceiptView;
export type GetReceiptErrorType = NotFoundErrorType | VerificationErrorType | HttpRequestErrorType;

/**
 * The signed receipt of a lane transaction and its place on the finality
 * ladder (`finality`: soft → checkpointed → settled → final). The signature
 * is checked against the lane's sequencer key. NotFoundError if the lane
 * has no such transaction.
 *
 * @example
 * const { finality, receipt } = await client.getReceipt({ hash });
 */
export async function getReceipt(
  client: BitlayerClientBase,
  p: GetReceiptParameters,
): Promise<GetReceiptReturnType> {
  const hash = strip0x(p.hash);
  const view = await edgeRequest<ReceiptView>(client, `/v1/lanes/${client.lane}/receipts/${hash}`);
  return await checkReceipt(client, view, hash);
}
