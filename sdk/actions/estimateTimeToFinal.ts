import type { BitlayerClientBase } from "../client.ts";
import type { HttpRequestErrorType, NotFoundErrorType, SettlementUnavailableErrorType } from "../errors.ts";
import { edgeRequest, settlementRequest, settlementRequestOrNull } from "../request.ts";
import type {
  FinalityStatus,
  LaneStatus,
  SettlementBlock,
  SettlementCheckpoint,
  SettlementLane,
} from "../types.ts";
import { getReceipt } from "./getReceipt.ts";

export type EstimateTimeToFinalParameters = { hash: string };
export type EstimateTimeToFinalReturnType = {
  status: FinalityStatus;
  /** When the transaction is expected to be final (ms since the Unix epoch); now if it already is. */
  estimatedFinalAtMs: number;
  /** estimatedFinalAtMs minus now, never negative. */
  remainingMs: number;
  /** The inputs of the estimate, as read now. */
  basis: {
    checkpointAgeMsMax: number;
    challengeWindowBlocks: bigint;
    blockIntervalMs: number;
    checkpointIndex: number | null;
  };
};
export type EstimateTimeToFinalErrorType =
  | NotFoundErrorType
  | HttpRequestErrorType
  | SettlementUnavailableErrorType;

/** Blocks between a checkpoint's post and its commit, in the estimate (mempool → proposal → commit). */
const SETTLE_BLOCKS = 2n;
const INTERVAL_SAMPLE = 20n;

type LaneBlockRow = { height: number; sealedAtMs: number; checkpointIndex: number | null };

/**
 * When a lane transaction will be `final`, from the lane's checkpoint cadence
 * (a block is checkpointed at most CHECKPOINT_AGE_MS_MAX after it is sealed)
 * and settlement's challenge window (blocks × the mean interval of the last
 * 20 settlement blocks). Once the checkpoint is on settlement, settlement's
 * own estimate for the checkpoint is used.
 *
 * @example
 * const { remainingMs } = await client.estimateTimeToFinal({ hash });
 * console.log(`final in about ${Math.ceil(remainingMs / 1000)} s`);
 */
export async function estimateTimeToFinal(
  client: BitlayerClientBase,
  p: EstimateTimeToFinalParameters,
): Promise<EstimateTimeToFinalReturnType> {
  const now = client.transport.nowMs();
  const receipt = await getReceipt(client, p);
  const [status, lane, interval] = await Promise.all([
    edgeRequest<LaneStatus & { checkpointAgeMsMax?: number }>(client, `/v1/lanes/${client.lane}/status`),
    settlementRequest<SettlementLane>(client, `/v1/lanes/${client.lane}`),
    blockIntervalMs(client),
  ]);
  const checkpointAgeMsMax = status.checkpointAgeMsMax ?? 1000;
  const window = BigInt(lane.challengeWindowBlocks);
  const { blocks } = await edgeRequest<{ blocks: LaneBlockRow[] }>(
    client,
    `/v1/lanes/${client.lane}/blocks?from=${receipt.receipt.height}&limit=1`,
  );
  const row = blocks[0];
  const basis = {
    checkpointAgeMsMax,
    challengeWindowBlocks: window,
    blockIntervalMs: interval,
    checkpointIndex: row?.checkpointIndex ?? null,
  };
  const done = (at: number) => ({
    status: receipt.finality,
    estimatedFinalAtMs: Math.max(at, now),
    remainingMs: Math.max(0, at - now),
    basis,
  });
  if (receipt.finality === "final") return done(now);
  const windowMs = Number(window) * interval;
  if (row?.checkpointIndex !== null && row?.checkpointIndex !== undefined) {
    const held = await settlementRequestOrNull<SettlementCheckpoint>(
      client,
      `/v1/lanes/${client.lane}/checkpoints/${row.checkpointIndex}`,
    );
    const next = held?.finality.next;
    if (held && next) {
      const at = Number(next.estimatedTimeMs);
      return done(next.status === "final" ? at : at + windowMs);
    }
    if (held?.finality.status === "final") return done(now);
    // Built but not on settlement yet: posted at the next alarm.
    return done(now + Number(SETTLE_BLOCKS) * interval + windowMs);
  }
  const sealedAt = row?.sealedAtMs ?? now;
  const checkpointAt = Math.max(now, sealedAt + checkpointAgeMsMax);
  return done(checkpointAt + Number(SETTLE_BLOCKS) * interval + windowMs);
}

/** Mean settlement block interval over the last 20 blocks (1,000 ms until there are two). */
async function blockIntervalMs(client: BitlayerClientBase): Promise<number> {
  const latest = await settlementRequest<SettlementBlock>(client, "/v1/blocks/latest");
  const h = BigInt(latest.height);
  if (h < 2n) return 1000;
  const back = h - 1n < INTERVAL_SAMPLE ? h - 1n : INTERVAL_SAMPLE;
  const older = await settlementRequest<SettlementBlock>(client, `/v1/blocks/${h - back}`);
  const ms = (Number(latest.timeMs) - Number(older.timeMs)) / Number(back);
  return ms > 0 ? ms : 1000;
}
