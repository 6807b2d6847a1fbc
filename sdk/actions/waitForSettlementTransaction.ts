import type { BitlayerClientBase } from "../client.ts";
import {
  SettlementTransactionFailedError,
  type SettlementTransactionFailedErrorType,
  type SettlementUnavailableErrorType,
  WaitTimeoutError,
  type WaitTimeoutErrorType,
} from "../errors.ts";
import { settlementRequestOrNull } from "../request.ts";
import type { SettlementBlock } from "../types.ts";
import { getSettlementHeight } from "./getSettlementHeight.ts";

export type WaitForSettlementTransactionParameters = {
  /** "0x…" hash from sendSettlementTransaction. */
  hash: string;
  /** The first height to look in (sendSettlementTransaction's submittedAtHeight); default: the current height. */
  fromHeight?: bigint;
  /** Default 60,000 ms. */
  timeoutMs?: number;
  /** Default 100 ms. */
  pollingIntervalMs?: number;
  /** Default true: a transaction the ledger refused throws SettlementTransactionFailedError. */
  throwOnFailure?: boolean;
};
export type WaitForSettlementTransactionReturnType = {
  height: bigint;
  blockHash: string;
  /** The ledger status: 0 is Ok. */
  status: number;
  statusName: string;
  feePaid: bigint;
};
export type WaitForSettlementTransactionErrorType =
  | SettlementTransactionFailedErrorType
  | WaitTimeoutErrorType
  | SettlementUnavailableErrorType;

/**
 * Follows a submitted settlement transaction into a committed block and
 * returns the ledger's verdict (its receipt in that block).
 *
 * @example
 * const sent = await client.sendSettlementTransaction({ account: alice, payload });
 * const { height, statusName } = await client.waitForSettlementTransaction({
 *   hash: sent.hash, fromHeight: sent.submittedAtHeight,
 * });
 */
export async function waitForSettlementTransaction(
  client: BitlayerClientBase,
  p: WaitForSettlementTransactionParameters,
): Promise<WaitForSettlementTransactionReturnType> {
  const { transport } = client;
  const timeoutMs = p.timeoutMs ?? 60_000;
  const deadline = transport.nowMs() + timeoutMs;
  const hash = p.hash.toLowerCase();
  let next = p.fromHeight ?? (await getSettlementHeight(client));
  if (next < 1n) next = 1n;
  for (;;) {
    const block = await settlementRequestOrNull<SettlementBlock>(client, `/v1/blocks/${next}`);
    if (block) {
      const i = block.txs.findIndex((t) => t.hash.toLowerCase() === hash);
      if (i >= 0) {
        const r = block.receipts?.find((x) => x.index === i);
        const result = {
          height: BigInt(block.height),
          blockHash: block.hash,
          status: r?.status ?? 0,
          statusName: r?.statusName ?? "Ok",
          feePaid: BigInt(r?.feePaid ?? "0"),
        };
        if (result.status !== 0 && p.throwOnFailure !== false)
          throw new SettlementTransactionFailedError(hash, result.height, result.status, result.statusName);
        return result;
      }
      next++;
      continue;
    }
    if (transport.nowMs() >= deadline)
      throw new WaitTimeoutError(
        `settlement transaction ${hash} in a block`,
        timeoutMs,
        `searched to height ${next - 1n}`,
      );
    await transport.sleep(p.pollingIntervalMs ?? 100);
  }
}
