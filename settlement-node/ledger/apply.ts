/**
 * The settlement ledger's state transition: applyBlock(state, block) →
 * { writes, receipts, events, validatorUpdates }. Pure and synchronous:
 * height and time come from the block header, signatures were checked by the
 * shell (VerifiedTx), and the base state is never written to.
 */
import { compareBytes, equalBytes } from "../../shared/bytes.ts";
import { CodecError, decode } from "../../shared/codec/index.ts";
import { decodeSmtProof, verifyProof } from "../../shared/smt/index.ts";
import type { StateReader, StateWrite } from "../../shared/state.ts";
import { keys as laneKeys, NATIVE_ASSET, withdrawalCodec } from "../../shared/stf/records.ts";
import { decodeSignedTx, txHash as laneTxHash } from "../../shared/stf/tx.ts";
import { accountAddressOf } from "./address.ts";
import { Books } from "./books.ts";
import { FEE_CHARGED_FROM, LedgerStatus } from "./codes.ts";
import { LedgerBlockError, LedgerInvariantError } from "./errors.ts";
import type { LedgerEvent } from "./events.ts";
import {
  BPS_DENOMINATOR,
  FORCED_OPEN_PER_LANE_MAX,
  FORCED_WATCH_LANES_MAX,
  TXS_PER_BLOCK_MAX,
  UNBONDING_ENTRIES_MAX,
  U128_MAX,
} from "./limits.ts";
import {
  batchDataCodec,
  type CheckpointRecord,
  checkpointCodec,
  depositCodec,
  forcedTxCodec,
  forcedWatchCodec,
  ledgerKeys,
  withdrawalPaidCodec,
} from "./records.ts";
import { checkInbox, freezeLanesPastDeadline } from "./inbox.ts";
import { batchHashOf, laneDepositIdOf, type PayloadOf, type VerifiedTx } from "./tx.ts";
import {
  computeValidatorSet,
  diffValidatorSets,
  distributeRewards,
  inMaintenance,
  trackDowntime,
  type ValidatorUpdate,
} from "./validators.ts";

export type LedgerBlock = {
  height: bigint;
  /** Block header time, milliseconds since the Unix epoch; never decreases. */
  timeMs: bigint;
  /** Public keys whose precommits are in the commit of block height − 1 (empty for height 1). */
  lastCommitSigners: readonly Uint8Array[];
  txs: readonly VerifiedTx[];
};

export type LedgerReceipt = { index: number; hash: Uint8Array; status: LedgerStatus; feePaid: bigint };

export type LedgerBlockResult = {
  /** Sorted by key; apply them to the state tree to get the app hash. */
  writes: StateWrite[];
  receipts: LedgerReceipt[];
  events: LedgerEvent[];
  /** Changes to the validator set that votes from height + 1 on (power 0 removes). */
  validatorUpdates: ValidatorUpdate[];
  minted: bigint;
  burned: bigint;
};

type TxContext = {
  books: Books;
  height: bigint;
  sender: Uint8Array;
  senderAddress: Uint8Array;
  vtx: VerifiedTx;
  events: LedgerEvent[];
};

export function applyBlock(state: StateReader, block: LedgerBlock): LedgerBlockResult {
  const books = new Books(state);
  const chain = books.chain();
  if (block.height !== chain.height + 1n)
    throw new LedgerBlockError(`Block height ${block.height} does not follow ${chain.height}.`);
  if (block.timeMs < chain.timeMs)
    throw new LedgerBlockError(
      `Block time ${block.timeMs} ms is before the previous block's ${chain.timeMs} ms.`,
    );
  if (block.txs.length > TXS_PER_BLOCK_MAX)
    throw new LedgerBlockError(`Block has ${block.txs.length} transactions, above ${TXS_PER_BLOCK_MAX}.`);

  const events: LedgerEvent[] = [];
  trackDowntime(books, block.height, block.lastCommitSigners, events);
  freezeLanesPastDeadline(books, block.height, events);

  const receipts: LedgerReceipt[] = [];
  let feesTotal = 0n;
  block.txs.forEach((vtx, index) => {
    const { status, feePaid } = applyTx(books, block.height, vtx, events);
    feesTotal += feePaid;
    receipts.push({ index, hash: vtx.hash, status, feePaid });
  });

  distributeRewards(books, block.height, feesTotal, events);
  const set = books.validatorSet();
  const next = computeValidatorSet(books);
  const validatorUpdates = diffValidatorSets(set.current, next);
  books.setValidatorSet({ previous: set.current, current: next });

  const supply = chain.supply + books.minted - books.burned;
  if (books.heldDelta !== books.minted - books.burned || supply > U128_MAX)
    throw new LedgerInvariantError(
      "Conservation of the native token broken.",
      `held ${books.heldDelta}, minted ${books.minted}, burned ${books.burned} at height ${block.height}`,
    );
  books.setChain({
    ...books.chain(),
    height: block.height,
    timeMs: block.timeMs,
    supply,
    mintedTotal: chain.mintedTotal + books.minted,
    burnedTotal: chain.burnedTotal + books.burned,
  });
  return {
    writes: books.state.writes(),
    receipts,
    events,
    validatorUpdates,
    minted: books.minted,
    burned: books.burned,
  };
}

/**
 * One transaction, all or nothing: checks below FEE_CHARGED_FROM change
 * nothing; a later rejection keeps only the fee and the nonce.
 */
function applyTx(
  books: Books,
  height: bigint,
  vtx: VerifiedTx,
  events: LedgerEvent[],
): { status: LedgerStatus; feePaid: bigint } {
  const { body } = vtx.tx;
  if (!vtx.sigValid) return { status: LedgerStatus.SignatureInvalid, feePaid: 0n };
  const senderAddress = accountAddressOf(body.sender);
  const account = books.account(senderAddress);
  if (body.nonce !== account.nonce) return { status: LedgerStatus.NonceMismatch, feePaid: 0n };
  if (body.fee < books.params().txFeeMin) return { status: LedgerStatus.FeeBelowMinimum, feePaid: 0n };
  if (account.balance < body.fee) return { status: LedgerStatus.FeeUnaffordable, feePaid: 0n };
  books.setAccount(senderAddress, { nonce: account.nonce + 1n, balance: account.balance - body.fee });

  const mark = books.mark();
  const eventCount = events.length;
  const ctx: TxContext = { books, height, sender: body.sender, senderAddress, vtx, events };
  const status = applyPayload(ctx);
  if (status !== LedgerStatus.Ok) {
    if (status < FEE_CHARGED_FROM)
      throw new LedgerInvariantError(`Payload returned pre-fee status ${status}.`);
    books.rollback(mark);
    events.length = eventCount;
  }
  return { status, feePaid: body.fee };
}

function applyPayload(ctx: TxContext): LedgerStatus {
  const p = ctx.vtx.tx.body.payload;
  switch (p.type) {
    case "transfer":
      return applyTransfer(ctx, p);
    case "bond":
      return applyBond(ctx, p);
    case "unbond":
      return applyUnbond(ctx, p);
    case "withdrawUnbonded":
      return applyWithdrawUnbonded(ctx);
    case "reportDoubleSign":
      return applyReportDoubleSign(ctx);
    case "unjail":
      return applyUnjail(ctx);
    case "announceMaintenance":
      return applyAnnounceMaintenance(ctx, p);
    case "openLane":
      return applyOpenLane(ctx, p);
    case "depositToLane":
      return applyDepositToLane(ctx, p);
    case "postCheckpoint":
      return applyPostCheckpoint(ctx, p);
    case "claimWithdrawal":
      return applyClaimWithdrawal(ctx, p);
    case "forceLaneTx":
      return applyForceLaneTx(ctx, p);
  }
}

function applyTransfer(ctx: TxContext, p: PayloadOf<"transfer">): LedgerStatus {
  if (p.amount === 0n) return LedgerStatus.AmountZero;
  if (!ctx.books.debit(ctx.senderAddress, p.amount)) return LedgerStatus.BalanceInsufficient;
  ctx.books.credit(p.to, p.amount);
  ctx.events.push({ type: "transfer", from: ctx.senderAddress, to: p.to, amount: p.amount });
  return LedgerStatus.Ok;
}

/** Self-bond: the sender's key is the validator's consensus key. */
function applyBond(ctx: TxContext, p: PayloadOf<"bond">): LedgerStatus {
  const { books } = ctx;
  const params = books.params();
  if (p.amount === 0n) return LedgerStatus.AmountZero;
  if (!books.debit(ctx.senderAddress, p.amount)) return LedgerStatus.BalanceInsufficient;
  const existing = books.validator(ctx.sender);
  if (existing?.tombstoned) return LedgerStatus.ValidatorTombstoned;
  const registry = books.registry();
  const registered = registry.some((pk) => equalBytes(pk, ctx.sender));
  if (!registered && registry.length >= params.validatorsMax) return LedgerStatus.ValidatorSetFull;
  const stake = (existing?.stake ?? 0n) + p.amount;
  if (stake < params.bondMin) return LedgerStatus.StakeBelowMinimum;
  books.setValidator({
    publicKey: ctx.sender,
    stake,
    jailed: existing?.jailed ?? false,
    jailedUntilHeight: existing?.jailedUntilHeight ?? 0n,
    tombstoned: false,
    maintenanceFromHeight: existing?.maintenanceFromHeight ?? 0n,
    maintenanceToHeight: existing?.maintenanceToHeight ?? 0n,
    rewardsTotal: existing?.rewardsTotal ?? 0n,
    slashedTotal: existing?.slashedTotal ?? 0n,
  });
  if (!registered) books.setRegistry([...registry, ctx.sender].sort(compareBytes));
  ctx.events.push({ type: "bonded", publicKey: ctx.sender, amount: p.amount, stake });
  return LedgerStatus.Ok;
}

/** Moves stake into an unbonding entry that matures after unbondingPeriodBlocks (> every challenge window). */
function applyUnbond(ctx: TxContext, p: PayloadOf<"unbond">): LedgerStatus {
  const { books } = ctx;
  const params = books.params();
  if (p.amount === 0n) return LedgerStatus.AmountZero;
  const v = books.validator(ctx.sender);
  if (!v || v.stake === 0n) return LedgerStatus.ValidatorUnknown;
  if (p.amount > v.stake) return LedgerStatus.StakeInsufficient;
  const stake = v.stake - p.amount;
  if (stake > 0n && stake < params.bondMin) return LedgerStatus.StakeBelowMinimum;
  const entries = books.unbonding(ctx.sender);
  if (entries.length >= UNBONDING_ENTRIES_MAX) return LedgerStatus.UnbondingQueueFull;
  const maturesAtHeight = ctx.height + params.unbondingPeriodBlocks;
  books.setValidator({ ...v, stake });
  books.setUnbonding(ctx.sender, [
    ...entries,
    { amount: p.amount, createdHeight: ctx.height, maturesAtHeight },
  ]);
  if (stake === 0n) books.setRegistry(books.registry().filter((pk) => !equalBytes(pk, ctx.sender)));
  ctx.events.push({ type: "unbonding", publicKey: ctx.sender, amount: p.amount, maturesAtHeight });
  return LedgerStatus.Ok;
}

function applyWithdrawUnbonded(ctx: TxContext): LedgerStatus {
  const { books } = ctx;
  const entries = books.unbonding(ctx.sender);
  const matured = entries.filter((e) => e.maturesAtHeight <= ctx.height);
  if (matured.length === 0) return LedgerStatus.NothingMatured;
  let amount = 0n;
  for (const e of matured) amount += e.amount;
  books.setUnbonding(
    ctx.sender,
    entries.filter((e) => e.maturesAtHeight > ctx.height),
  );
  books.credit(ctx.senderAddress, amount);
  ctx.events.push({ type: "unbondedWithdrawn", publicKey: ctx.sender, amount });
  return LedgerStatus.Ok;
}

/**
 * Double-sign: slashes slashFractionDoubleSignBps of the stake and of every
 * unbonding entry created after the infraction (that stake was at risk then),
 * pays evidenceRewardBps of it to the reporter, burns the rest, and tombstones
 * the validator (it can never bond again; it can still unbond what is left).
 */
function applyReportDoubleSign(ctx: TxContext): LedgerStatus {
  const { books } = ctx;
  const params = books.params();
  const evidence = ctx.vtx.evidence;
  if (!evidence || evidence.height >= ctx.height) return LedgerStatus.EvidenceInvalid;
  if (ctx.height - evidence.height > params.evidenceAgeBlocksMax) return LedgerStatus.EvidenceTooOld;
  const v = books.validator(evidence.validatorPublicKey);
  if (!v) return LedgerStatus.ValidatorUnknown;
  if (v.tombstoned) return LedgerStatus.ValidatorTombstoned;
  const fraction = BigInt(params.slashFractionDoubleSignBps);
  const stakeSlash = (v.stake * fraction) / BPS_DENOMINATOR;
  let slashed = stakeSlash;
  const entries = books.unbonding(v.publicKey).map((e) => {
    if (e.createdHeight <= evidence.height) return e;
    const cut = (e.amount * fraction) / BPS_DENOMINATOR;
    slashed += cut;
    return { ...e, amount: e.amount - cut };
  });
  books.setUnbonding(
    v.publicKey,
    entries.filter((e) => e.amount > 0n),
  );
  books.setValidator({
    ...v,
    stake: v.stake - stakeSlash,
    tombstoned: true,
    jailed: true,
    slashedTotal: v.slashedTotal + slashed,
  });
  const reporterReward = (slashed * BigInt(params.evidenceRewardBps)) / BPS_DENOMINATOR;
  books.credit(ctx.senderAddress, reporterReward);
  books.burn(slashed - reporterReward);
  ctx.events.push({
    type: "validatorSlashed",
    publicKey: v.publicKey,
    amount: slashed,
    burned: slashed - reporterReward,
    reporterReward,
  });
  return LedgerStatus.Ok;
}

function applyUnjail(ctx: TxContext): LedgerStatus {
  const v = ctx.books.validator(ctx.sender);
  if (!v) return LedgerStatus.ValidatorUnknown;
  if (v.tombstoned) return LedgerStatus.ValidatorTombstoned;
  if (!v.jailed) return LedgerStatus.ValidatorNotJailed;
  if (ctx.height < v.jailedUntilHeight) return LedgerStatus.JailPeriodActive;
  ctx.books.setValidator({ ...v, jailed: false, jailedUntilHeight: 0n });
  ctx.events.push({ type: "validatorUnjailed", publicKey: v.publicKey });
  return LedgerStatus.Ok;
}

/** A future window (fromHeight > current height) of at most maintenanceBlocksMax blocks; replaces a pending one. */
function applyAnnounceMaintenance(ctx: TxContext, p: PayloadOf<"announceMaintenance">): LedgerStatus {
  const v = ctx.books.validator(ctx.sender);
  if (!v) return LedgerStatus.ValidatorUnknown;
  if (v.tombstoned) return LedgerStatus.ValidatorTombstoned;
  if (p.fromHeight <= ctx.height || p.toHeight < p.fromHeight) return LedgerStatus.MaintenanceWindowInvalid;
  if (p.toHeight - p.fromHeight + 1n > ctx.books.params().maintenanceBlocksMax)
    return LedgerStatus.MaintenanceTooLong;
  if (inMaintenance(v, ctx.height)) return LedgerStatus.MaintenanceActive;
  ctx.books.setValidator({ ...v, maintenanceFromHeight: p.fromHeight, maintenanceToHeight: p.toHeight });
  ctx.events.push({
    type: "maintenanceAnnounced",
    publicKey: v.publicKey,
    fromHeight: p.fromHeight,
    toHeight: p.toHeight,
  });
  return LedgerStatus.Ok;
}

/**
 * Lanes are numbered from 1 in opening order (lane 0 is settlement). The
 * sender pays the bond and the genesis escrow (the lane's genesis supply),
 * which becomes the lane's initial escrow; a later refusal rolls both back.
 */
function applyOpenLane(ctx: TxContext, p: PayloadOf<"openLane">): LedgerStatus {
  const { books } = ctx;
  const params = books.params();
  if (!books.debit(ctx.senderAddress, p.bond + p.genesisEscrow)) return LedgerStatus.BalanceInsufficient;
  if (
    p.challengeWindowBlocks < params.challengeWindowBlocksMin ||
    p.challengeWindowBlocks > params.challengeWindowBlocksMax
  )
    return LedgerStatus.ChallengeWindowOutOfBounds;
  if (p.bond < params.laneBondMin) return LedgerStatus.LaneBondBelowMinimum;
  if (p.forcedInclusionBlocks < 1n || p.forcedInclusionBlocks > params.challengeWindowBlocksMax)
    return LedgerStatus.ForcedInclusionBlocksOutOfBounds;
  const chain = books.chain();
  const id = chain.laneCount + 1;
  books.setChain({ ...chain, laneCount: id });
  books.setLane({
    id,
    owner: ctx.senderAddress,
    sequencer: p.sequencer,
    bond: p.bond,
    escrow: p.genesisEscrow,
    challengeWindowBlocks: p.challengeWindowBlocks,
    genesisRoot: p.genesisRoot,
    lastRoot: p.genesisRoot,
    checkpointCount: 0n,
    depositCount: 0n,
    withdrawalCount: 0n,
    stfVersion: 0,
    genesisEscrow: p.genesisEscrow,
    depositedTotal: 0n,
    paidTotal: 0n,
    depositsConsumed: 0n,
    forcedInclusionBlocks: p.forcedInclusionBlocks,
    forcedCount: 0n,
    forcedConsumed: 0n,
    frozenHeight: 0n,
  });
  ctx.events.push({
    type: "laneOpened",
    lane: id,
    sequencer: p.sequencer,
    bond: p.bond,
    genesisEscrow: p.genesisEscrow,
    challengeWindowBlocks: p.challengeWindowBlocks,
  });
  return LedgerStatus.Ok;
}

function applyDepositToLane(ctx: TxContext, p: PayloadOf<"depositToLane">): LedgerStatus {
  const { books } = ctx;
  if (p.amount === 0n) return LedgerStatus.AmountZero;
  if (!books.debit(ctx.senderAddress, p.amount)) return LedgerStatus.BalanceInsufficient;
  const lane = books.lane(p.lane);
  if (!lane) return LedgerStatus.LaneUnknown;
  // A frozen lane will never consume another deposit: taking the funds would strand them.
  if (lane.frozenHeight !== 0n) return LedgerStatus.LaneFrozen;
  const id = lane.depositCount;
  const laneDepositId = laneDepositIdOf(lane.id, id);
  books.setLane({
    ...lane,
    escrow: lane.escrow + p.amount,
    depositCount: id + 1n,
    depositedTotal: lane.depositedTotal + p.amount,
  });
  books.write(depositCodec, ledgerKeys.deposit(lane.id, id), {
    id,
    lane: lane.id,
    sender: ctx.senderAddress,
    recipient: p.recipient,
    amount: p.amount,
    height: ctx.height,
    laneDepositId,
  });
  ctx.events.push({
    type: "deposit",
    lane: lane.id,
    id,
    laneDepositId,
    recipient: p.recipient,
    amount: p.amount,
  });
  return LedgerStatus.Ok;
}

/**
 * Accepts the lane's next checkpoint: signed by the lane's sequencer key,
 * numbered in sequence and linking to the last accepted root. Anyone may
 * relay it (the relayer pays the fee). Its batch data is kept in state for
 * data availability; it becomes final challengeWindowBlocks after this block.
 */
function applyPostCheckpoint(ctx: TxContext, p: PayloadOf<"postCheckpoint">): LedgerStatus {
  const { books } = ctx;
  const lane = books.lane(p.lane);
  if (!lane) return LedgerStatus.LaneUnknown;
  if (lane.frozenHeight !== 0n) return LedgerStatus.LaneFrozen;
  if (ctx.vtx.checkpointSigValid !== true) return LedgerStatus.CheckpointSignatureInvalid;
  if (!equalBytes(p.sequencer, lane.sequencer)) return LedgerStatus.CheckpointNotFromSequencer;
  if (p.index !== lane.checkpointCount) return LedgerStatus.CheckpointIndexMismatch;
  if (!equalBytes(p.prevRoot, lane.lastRoot)) return LedgerStatus.CheckpointPrevRootMismatch;
  if (p.stfVersion < lane.stfVersion) return LedgerStatus.StfVersionDowngrade;
  if (p.batchData.length > books.params().batchDataBytesMax) return LedgerStatus.BatchDataTooLarge;
  if (!equalBytes(p.batchHash, batchHashOf(p.batchData))) return LedgerStatus.BatchHashMismatch;
  if (p.withdrawalCount < lane.withdrawalCount) return LedgerStatus.WithdrawalCountRegressed;
  const inbox = checkInbox(books, lane, p);
  if (inbox !== LedgerStatus.Ok) return inbox;
  const finalHeight = ctx.height + lane.challengeWindowBlocks;
  const record: CheckpointRecord = {
    lane: lane.id,
    index: p.index,
    prevRoot: p.prevRoot,
    newRoot: p.newRoot,
    withdrawalCount: p.withdrawalCount,
    depositCursor: p.depositCursor,
    forcedCursor: p.forcedCursor,
    batchHash: p.batchHash,
    stfVersion: p.stfVersion,
    sequencerSignature: p.sequencerSignature,
    postedHeight: ctx.height,
    finalHeight,
  };
  books.write(checkpointCodec, ledgerKeys.checkpoint(lane.id, p.index), record);
  books.write(batchDataCodec, ledgerKeys.batchData(lane.id, p.index), { data: p.batchData });
  books.setLane({
    ...lane,
    lastRoot: p.newRoot,
    checkpointCount: p.index + 1n,
    withdrawalCount: p.withdrawalCount,
    stfVersion: p.stfVersion,
    depositsConsumed: p.depositCursor,
    forcedConsumed: p.forcedCursor,
  });
  ctx.events.push({ type: "checkpointed", lane: lane.id, index: p.index, newRoot: p.newRoot, finalHeight });
  return LedgerStatus.Ok;
}

/**
 * Pays a lane withdrawal proven against a final checkpoint's root: once per
 * (lane, withdrawal id), to the settlement account of the leaf's recipient
 * key, and never more than the lane's escrow.
 */
function applyClaimWithdrawal(ctx: TxContext, p: PayloadOf<"claimWithdrawal">): LedgerStatus {
  const { books } = ctx;
  const lane = books.lane(p.lane);
  if (!lane) return LedgerStatus.LaneUnknown;
  const checkpoint = books.read(checkpointCodec, ledgerKeys.checkpoint(lane.id, p.checkpointIndex));
  if (!checkpoint) return LedgerStatus.CheckpointUnknown;
  if (ctx.height < checkpoint.finalHeight) return LedgerStatus.CheckpointNotFinal;
  let leaf: ReturnType<typeof decodeLeaf>;
  let proof: ReturnType<typeof decodeSmtProof>;
  try {
    leaf = decodeLeaf(p.withdrawal);
    proof = decodeSmtProof(p.proof);
  } catch (e) {
    if (e instanceof CodecError) return LedgerStatus.WithdrawalMalformed;
    throw e;
  }
  if (leaf.lane !== lane.id) return LedgerStatus.WithdrawalLaneMismatch;
  if (!equalBytes(leaf.asset, NATIVE_ASSET)) return LedgerStatus.WithdrawalAssetNotNative;
  if (!verifyProof(checkpoint.newRoot, laneKeys.withdrawal(leaf.id), p.withdrawal, proof))
    return LedgerStatus.WithdrawalProofInvalid;
  const paidKey = ledgerKeys.withdrawalPaid(lane.id, leaf.id);
  if (books.state.get(paidKey) !== undefined) return LedgerStatus.WithdrawalAlreadyPaid;
  if (leaf.amount > lane.escrow) return LedgerStatus.WithdrawalExceedsEscrow;
  books.setLane({ ...lane, escrow: lane.escrow - leaf.amount, paidTotal: lane.paidTotal + leaf.amount });
  const recipient = accountAddressOf(leaf.recipient);
  books.credit(recipient, leaf.amount);
  books.write(withdrawalPaidCodec, paidKey, {
    checkpointIndex: p.checkpointIndex,
    height: ctx.height,
    amount: leaf.amount,
  });
  ctx.events.push({ type: "withdrawalPaid", lane: lane.id, id: leaf.id, recipient, amount: leaf.amount });
  return LedgerStatus.Ok;
}

/**
 * Queues a lane transaction the lane must include (forced inclusion): the
 * bytes must be a canonical signed lane transaction for this lane; whether
 * it executes is the lane's STF's business (a failing one still counts as
 * included, with its rejection code in the lane receipt).
 */
function applyForceLaneTx(ctx: TxContext, p: PayloadOf<"forceLaneTx">): LedgerStatus {
  const { books } = ctx;
  const lane = books.lane(p.lane);
  if (!lane) return LedgerStatus.LaneUnknown;
  if (lane.frozenHeight !== 0n) return LedgerStatus.LaneFrozen;
  if (!isLaneTxFor(p.tx, lane.id)) return LedgerStatus.ForcedTxMalformed;
  if (lane.forcedCount - lane.forcedConsumed >= BigInt(FORCED_OPEN_PER_LANE_MAX))
    return LedgerStatus.ForcedQueueFull;
  const watch = books.read(forcedWatchCodec, ledgerKeys.forcedWatch())?.lanes ?? [];
  if (!watch.includes(lane.id)) {
    if (watch.length >= FORCED_WATCH_LANES_MAX) return LedgerStatus.ForcedQueueFull;
    books.write(forcedWatchCodec, ledgerKeys.forcedWatch(), { lanes: [...watch, lane.id] });
  }
  const id = lane.forcedCount;
  const deadlineHeight = ctx.height + lane.forcedInclusionBlocks;
  books.write(forcedTxCodec, ledgerKeys.forcedTx(lane.id, id), {
    id,
    lane: lane.id,
    sender: ctx.senderAddress,
    tx: p.tx,
    height: ctx.height,
    deadlineHeight,
  });
  books.setLane({ ...lane, forcedCount: id + 1n });
  ctx.events.push({ type: "forcedTx", lane: lane.id, id, txHash: laneTxHash(p.tx), deadlineHeight });
  return LedgerStatus.Ok;
}

function isLaneTxFor(tx: Uint8Array, lane: number): boolean {
  try {
    return decodeSignedTx(tx).body.lane === lane;
  } catch (e) {
    if (e instanceof CodecError) return false;
    throw e;
  }
}

function decodeLeaf(bytes: Uint8Array) {
  return decode(withdrawalCodec, bytes);
}
