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
  /** Pause between polls when a validator cannot hold the request (default 100 ms). */
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

/** GET /v1/txs/{hash} on a validator (settlement-node/api/schemas.ts txResponse). */
type TxLanded =
  | {
      state: "committed";
      height: string;
      blockHash: string;
      status: number;
      statusName: string;
      feePaid: string;
    }
  | { state: "pending" };

/** The validators hold a waiting request at most this long (settlement-node/api/recent-txs.ts). */
const WAIT_MS_MAX = 30_000;

/**
 * Follows a submitted settlement transaction into a committed block and
 * returns the ledger's verdict (its receipt in that block).
 *
 * It asks a validator to hold the request until the transaction commits
 * (GET /v1/txs/{hash}?waitMs=), so the answer comes at commit, not at the
 * next poll. A validator remembers its recent blocks only; for an older
 * transaction, or a validator without the route, it looks through the
 * blocks from `fromHeight` on.
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
  const verdict = (r: WaitForSettlementTransactionReturnType) => {
    if (r.status !== 0 && p.throwOnFailure !== false)
      throw new SettlementTransactionFailedError(hash, r.height, r.status, r.statusName);
    return r;
  };
  let next = p.fromHeight ?? (await getSettlementHeight(client));
  if (next < 1n) next = 1n;
  for (;;) {
    // Half the request timeout, so the held request ends before the client gives up on it.
    const waitMs = Math.max(
      0,
      Math.min(deadline - transport.nowMs(), Math.floor(transport.timeoutMsRequest / 2), WAIT_MS_MAX),
    );
    const asked = transport.nowMs();
    const landed = await settlementRequestOrNull<TxLanded>(client, `/v1/txs/${hash}?waitMs=${waitMs}`);
    if (landed?.state === "committed")
      return verdict({
        height: BigInt(landed.height),
        blockHash: landed.blockHash,
        status: landed.status,
        statusName: landed.statusName,
        feePaid: BigInt(landed.feePaid),
      });
    // Pending means still in a mempool: no block has it. Unknown: look through the blocks.
    while (landed === null) {
      const block = await settlementRequestOrNull<SettlementBlock>(client, `/v1/blocks/${next}`);
      if (!block) break;
      const i = block.txs.findIndex((t) => t.hash.toLowerCase() === hash);
      if (i >= 0) {
        const r = block.receipts?.find((x) => x.index === i);
        return verdict({
          height: BigInt(block.height),
          blockHash: block.hash,
          status: r?.status ?? 0,
          statusName: r?.statusName ?? "Ok",
          feePaid: BigInt(r?.feePaid ?? "0"),
        });
      }
      next++;
    }
    if (transport.nowMs() >= deadline)
      throw new WaitTimeoutError(
        `settlement transaction ${hash} in a block`,
        timeoutMs,
        `searched to height ${next - 1n}`,
      );
    // A validator that answered before the wait was up did not hold the request: poll instead.
    if (transport.nowMs() - asked < waitMs) await transport.sleep(p.pollingIntervalMs ?? 100);
  }
}
