import type { BitlayerClientBase } from "../client.ts";
import { WaitTimeoutError, type WaitTimeoutErrorType } from "../errors.ts";
import { type FinalityStatus, finalityRank, type ReceiptView } from "../types.ts";
import { type GetTransactionStatusErrorType, getTransactionStatus } from "./getTransactionStatus.ts";

export type WaitForStatusParameters = {
  hash: string;
  /** The rung to wait for; a receipt already past it returns at once. */
  status: FinalityStatus;
  /** Default 120,000 ms. */
  timeoutMs?: number;
  /** Default 250 ms. */
  pollingIntervalMs?: number;
  /** Called once per rung seen, in order (soft, checkpointed, …). */
  onStatus?: (status: FinalityStatus, receipt: ReceiptView) => void;
};
export type WaitForStatusReturnType = ReceiptView;
export type WaitForStatusErrorType = WaitTimeoutErrorType | GetTransactionStatusErrorType;

/**
 * Polls a transaction's receipt until it reaches `status` on the finality
 * ladder (or beyond), and returns that receipt. Throws WaitTimeoutError with
 * the last status seen after `timeoutMs`. In tests, the time controls
 * (sdk/testing) make "final" arrive in seconds.
 *
 * @example
 * const { hash } = await client.transfer({ account: alice, to: bob, amount: 5n });
 * await client.waitForStatus({ hash, status: "final", timeoutMs: 60_000 });
 */
export async function waitForStatus(
  client: BitlayerClientBase,
  p: WaitForStatusParameters,
): Promise<WaitForStatusReturnType> {
  const { transport } = client;
  const timeoutMs = p.timeoutMs ?? 120_000;
  const interval = p.pollingIntervalMs ?? 250;
  const deadline = transport.nowMs() + timeoutMs;
  const want = finalityRank(p.status);
  let last: FinalityStatus | undefined;
  for (;;) {
    const s = await getTransactionStatus(client, { hash: p.hash });
    if (s.receipt) {
      if (s.status !== last) {
        last = s.status;
        p.onStatus?.(s.status, s.receipt);
      }
      if (finalityRank(s.status) >= want) return s.receipt;
    }
    if (transport.nowMs() >= deadline)
      throw new WaitTimeoutError(`transaction ${p.hash} to become ${p.status}`, timeoutMs, last ?? "unknown");
    await transport.sleep(Math.min(interval, Math.max(0, deadline - transport.nowMs())));
  }
}
