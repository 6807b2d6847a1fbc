/**
 * Executes one lane block: deposits first, then transactions, in order. Pure
 * and synchronous: state comes in through a StateReader and leaves as sorted
 * writes; signatures were verified by the caller (sigValid[i] for txs[i]).
 */
import { compareBytes, toHex } from "../bytes.ts";
import { decode } from "../codec/index.ts";
import { hashMapKey } from "../hash.ts";
import type { StateReader, StateWrite } from "../state.ts";
import { StfBlockError, StfInvariantError } from "./errors.ts";
import { applyDeposit, applyTx, type BlockContext, type DecodedTx } from "./execute.ts";
import { nextBaseFeePerGas } from "./gas.ts";
import { Ledger, type Touched } from "./ledger.ts";
import { ADDRESS_BYTES, DEPOSITS_PER_BLOCK_MAX, TXS_PER_BLOCK_MAX } from "./limits.ts";
import { Overlay } from "./overlay.ts";
import {
  balanceCodec,
  itemCodec,
  keys,
  laneParamsCodec,
  laneRecordCodec,
  outstandingOf,
  type SupplyRecord,
  supplyCodec,
  ZERO_SUPPLY,
} from "./records.ts";
import { type BlockHeader, type Deposit, type Receipt, receiptsHash } from "./tx.ts";

export type Block = { header: BlockHeader; deposits: readonly Deposit[]; txs: readonly Uint8Array[] };

/** Change of one asset's supply counters in this block. */
export type SupplyDelta = {
  asset: Uint8Array;
  minted: bigint;
  burned: bigint;
  deposited: bigint;
  withdrawn: bigint;
};

export type BlockResult = {
  /** Deposits' receipts first, then the transactions', indexed in that order. */
  receipts: Receipt[];
  receiptsHash: Uint8Array;
  /** Sorted by key (compareBytes); feed to the state tree to get the new root. */
  writes: StateWrite[];
  gasUsed: bigint;
  nextBaseFeePerGas: bigint;
  /** Sorted by asset id; only assets whose supply changed. */
  supplyDelta: SupplyDelta[];
};

/**
 * `known[i]`, when given, is txs[i]'s hash and decoding as the caller already
 * computed them (execute.ts DecodedTx); the result is the same without it.
 */
export function executeBlock(
  state: StateReader,
  block: Block,
  sigValid: readonly boolean[],
  known?: readonly (DecodedTx | undefined)[],
): BlockResult {
  const { header, deposits, txs } = block;
  const paramsRaw = state.get(keys.laneParams());
  const laneRaw = state.get(keys.lane());
  if (!paramsRaw || !laneRaw)
    throw new StfBlockError("Lane state has no genesis: lane params or lane record missing.");
  const params = decode(laneParamsCodec, paramsRaw);
  const lane = decode(laneRecordCodec, laneRaw);
  checkHeader(header, lane);
  if (txs.length > TXS_PER_BLOCK_MAX)
    throw new StfBlockError(`Block has ${txs.length} transactions; the limit is ${TXS_PER_BLOCK_MAX}.`);
  if (deposits.length > DEPOSITS_PER_BLOCK_MAX)
    throw new StfBlockError(`Block has ${deposits.length} deposits; the limit is ${DEPOSITS_PER_BLOCK_MAX}.`);
  if (sigValid.length !== txs.length)
    throw new StfBlockError(`sigValid has ${sigValid.length} entries for ${txs.length} transactions.`);

  const overlay = new Overlay(state);
  const ctx: BlockContext = { ledger: new Ledger(overlay), header, params, lane, gasUsed: 0n };
  const receipts: Receipt[] = [];
  for (const deposit of deposits) receipts.push(applyDeposit(ctx, deposit, receipts.length));
  if (known && known.length !== txs.length)
    throw new StfBlockError(`known has ${known.length} entries for ${txs.length} transactions.`);
  for (let i = 0; i < txs.length; i++)
    receipts.push(applyTx(ctx, txs[i]!, sigValid[i]!, receipts.length, known?.[i]));

  ctx.ledger.flushDeferredCredits();
  const nextBaseFee = nextBaseFeePerGas(header.baseFeePerGas, ctx.gasUsed, params);
  ctx.ledger.write(laneRecordCodec, keys.lane(), {
    ...ctx.lane,
    height: header.height,
    timestampMs: header.timestampMs,
    baseFeePerGas: nextBaseFee,
  });
  const supplyDelta = assertConservation(ctx.ledger, overlay.baseView);
  return {
    receipts,
    receiptsHash: receiptsHash(receipts),
    writes: overlay.writes(),
    gasUsed: ctx.gasUsed,
    nextBaseFeePerGas: nextBaseFee,
    supplyDelta,
  };
}

function checkHeader(
  header: BlockHeader,
  lane: { chainId: string; lane: number; height: bigint; timestampMs: bigint; baseFeePerGas: bigint },
): void {
  if (header.chainId !== lane.chainId || header.lane !== lane.lane)
    throw new StfBlockError(
      `Block is for chain ${header.chainId} lane ${header.lane}, but the state is chain ${lane.chainId} lane ${lane.lane}.`,
    );
  if (header.height !== lane.height + 1n)
    throw new StfBlockError(
      `Block height ${header.height} does not follow the lane's height ${lane.height}.`,
    );
  if (header.timestampMs < lane.timestampMs)
    throw new StfBlockError(
      `Block time ${header.timestampMs} ms is before the previous block's ${lane.timestampMs} ms: time must be monotonic.`,
    );
  if (header.baseFeePerGas !== lane.baseFeePerGas)
    throw new StfBlockError(
      `Block base fee ${header.baseFeePerGas} differs from the ${lane.baseFeePerGas} the previous block set.`,
    );
  if (!(header.sequencer instanceof Uint8Array) || header.sequencer.length !== ADDRESS_BYTES)
    throw new StfBlockError(`Sequencer address must be ${ADDRESS_BYTES} bytes.`);
}

function amountAt(reader: StateReader, t: Touched): bigint {
  const raw = reader.get(t.key);
  return raw === undefined ? 0n : decode(balanceCodec, raw).amount;
}

function liveItemAt(reader: StateReader, t: Touched): bigint {
  const raw = reader.get(t.key);
  return raw !== undefined && !decode(itemCodec, raw).burned ? 1n : 0n;
}

function supplyAt(reader: StateReader, t: Touched): SupplyRecord {
  const raw = reader.get(t.key);
  return raw === undefined ? ZERO_SUPPLY : decode(supplyCodec, raw);
}

/**
 * Conservation (STYLE.md 7): for every asset, the sum of balance changes (or,
 * for an item collection, the change in live items) must equal
 * minted − burned + deposited − withdrawn in this block. Both sides are read
 * back from the pre- and post-state, independently of how the txs got there.
 * A mismatch is a bug in the STF: throw.
 */
function assertConservation(ledger: Ledger, pre: StateReader): SupplyDelta[] {
  const post = ledger.state;
  const held = new Map<string, bigint>();
  const hexOf = new Map<string, string>();
  const add = (asset: Uint8Array, d: bigint) => {
    const id = assetMapKey(asset);
    const sum = held.get(id);
    if (sum === undefined) hexOf.set(id, toHex(asset));
    held.set(id, (sum ?? 0n) + d);
  };
  for (const t of ledger.touchedBalances.values()) add(t.asset, amountAt(post, t) - amountAt(pre, t));
  for (const t of ledger.touchedItems.values()) add(t.asset, liveItemAt(post, t) - liveItemAt(pre, t));

  const deltas: SupplyDelta[] = [];
  const supplied = new Map<string, bigint>();
  for (const t of ledger.touchedSupplies.values()) {
    const before = supplyAt(pre, t);
    const after = supplyAt(post, t);
    const d: SupplyDelta = {
      asset: t.asset,
      minted: after.minted - before.minted,
      burned: after.burned - before.burned,
      deposited: after.deposited - before.deposited,
      withdrawn: after.withdrawn - before.withdrawn,
    };
    for (const v of [d.minted, d.burned, d.deposited, d.withdrawn])
      if (v < 0n) throw new StfInvariantError(`Supply counter of asset ${toHex(t.asset)} decreased.`);
    const id = assetMapKey(t.asset);
    if (!hexOf.has(id)) hexOf.set(id, toHex(t.asset));
    supplied.set(id, outstandingOf(after) - outstandingOf(before));
    if (d.minted !== 0n || d.burned !== 0n || d.deposited !== 0n || d.withdrawn !== 0n) deltas.push(d);
  }
  for (const id of new Set([...held.keys(), ...supplied.keys()])) {
    const h = held.get(id) ?? 0n;
    const s = supplied.get(id) ?? 0n;
    if (h !== s)
      throw new StfInvariantError(
        `Conservation broken for asset ${hexOf.get(id)}.`,
        `holdings changed by ${h}, supply by ${s}`,
      );
  }
  return deltas.sort((a, b) => compareBytes(a.asset, b.asset));
}

/** A Map key per asset id: hashMapKey for 32 bytes (all of them), else "h" + hex (odd length: never a 16-char hashMapKey). */
function assetMapKey(asset: Uint8Array): string {
  return asset.length === 32 ? hashMapKey(asset) : `h${toHex(asset)}`;
}
