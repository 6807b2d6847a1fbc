/**
 * What settlement asks of a lane besides a valid root: its inbox. Deposits
 * to the lane's escrow and forced transactions are numbered per lane on
 * settlement; a checkpoint states how many of each the lane has consumed
 * (depositCursor, forcedCursor) and its batch data must show them consumed
 * in order, none skipped:
 *
 * - deposits: the deposits of the batch's blocks, in order, are exactly the
 *   lane's deposits depositsConsumed … depositCursor − 1 (same lane deposit
 *   id, recipient, native asset, amount);
 * - forced transactions: walking the blocks in order, each block's leading
 *   transactions that equal the next expected forced transaction consume it;
 *   after the last block the walk must have reached forcedCursor.
 *
 * A forced transaction not covered by a checkpoint by its deadline height
 * freezes the lane at the start of the next block (freezeLanesPastDeadline):
 * no more checkpoints, deposits or forced transactions are accepted.
 */
import { equalBytes } from "../../shared/bytes.ts";
import { CodecError } from "../../shared/codec/index.ts";
import { decodeBatchData, type LaneBlock } from "../../shared/lane/batch.ts";
import { NATIVE_ASSET } from "../../shared/stf/records.ts";
import type { Books } from "./books.ts";
import { LedgerStatus } from "./codes.ts";
import type { LedgerEvent } from "./events.ts";
import { depositCodec, forcedTxCodec, forcedWatchCodec, type LaneRecord, ledgerKeys } from "./records.ts";
import type { PayloadOf } from "./tx.ts";

/** Checks a checkpoint's cursors against its batch data (in code order 58, 59, 70, 71, 72). */
export function checkInbox(books: Books, lane: LaneRecord, p: PayloadOf<"postCheckpoint">): LedgerStatus {
  let blocks: LaneBlock[];
  try {
    blocks = decodeBatchData(p.batchData);
  } catch (e) {
    if (e instanceof CodecError) return LedgerStatus.BatchDataMalformed;
    throw e;
  }
  if (p.depositCursor < lane.depositsConsumed || p.depositCursor > lane.depositCount)
    return LedgerStatus.DepositCursorInvalid;
  let next = lane.depositsConsumed;
  for (const block of blocks)
    for (const d of block.deposits) {
      if (next >= p.depositCursor) return LedgerStatus.DepositsOutOfOrder;
      const expected = books.read(depositCodec, ledgerKeys.deposit(lane.id, next));
      if (
        !expected ||
        !equalBytes(d.depositId, expected.laneDepositId) ||
        !equalBytes(d.recipient, expected.recipient) ||
        !equalBytes(d.asset, NATIVE_ASSET) ||
        d.amount !== expected.amount
      )
        return LedgerStatus.DepositsOutOfOrder;
      next++;
    }
  if (next !== p.depositCursor) return LedgerStatus.DepositsOutOfOrder;

  if (p.forcedCursor < lane.forcedConsumed || p.forcedCursor > lane.forcedCount)
    return LedgerStatus.ForcedCursorInvalid;
  let forced = lane.forcedConsumed;
  for (const block of blocks) {
    for (const tx of block.txs) {
      if (forced >= p.forcedCursor) break;
      const expected = books.read(forcedTxCodec, ledgerKeys.forcedTx(lane.id, forced));
      if (!expected || !equalBytes(tx, expected.tx)) break;
      forced++;
    }
  }
  if (forced !== p.forcedCursor) return LedgerStatus.ForcedTxsOutOfOrder;
  return LedgerStatus.Ok;
}

/**
 * Start of every block: a watched lane whose oldest uncovered forced
 * transaction is past its deadline is frozen; a lane with none left is
 * unwatched. Costs one read when no lane has forced transactions waiting.
 */
export function freezeLanesPastDeadline(books: Books, height: bigint, events: LedgerEvent[]): void {
  const watch = books.read(forcedWatchCodec, ledgerKeys.forcedWatch());
  if (!watch || watch.lanes.length === 0) return;
  const keep: number[] = [];
  for (const id of watch.lanes) {
    const lane = books.lane(id);
    if (!lane || lane.frozenHeight !== 0n || lane.forcedConsumed >= lane.forcedCount) continue;
    const oldest = books.read(forcedTxCodec, ledgerKeys.forcedTx(id, lane.forcedConsumed));
    if (oldest && height > oldest.deadlineHeight) {
      books.setLane({ ...lane, frozenHeight: height });
      events.push({ type: "laneFrozen", lane: id, forcedId: oldest.id, height });
      continue;
    }
    keep.push(id);
  }
  if (keep.length !== watch.lanes.length) {
    if (keep.length === 0) books.state.set(ledgerKeys.forcedWatch(), null);
    else books.write(forcedWatchCodec, ledgerKeys.forcedWatch(), { lanes: keep });
  }
}
