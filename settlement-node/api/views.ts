/** Ledger records and backend values as API JSON (shapes in schemas.ts). */
import type { z } from "zod";
import { toHex } from "../../shared/bytes.ts";
import { formatAddress } from "../../shared/crypto/index.ts";
import { encodeSmtProof } from "../../shared/smt/index.ts";
import type { CommitCertificate } from "../consensus/messages.ts";
import { accountAddressOf } from "../ledger/address.ts";
import { ledgerStatusName } from "../ledger/codes.ts";
import {
  type CheckpointRecord,
  type DepositRecord,
  type ForcedTxRecord,
  type LaneRecord,
  ledgerKeys,
  type ValidatorRecord,
  type WithdrawalPaidRecord,
} from "../ledger/records.ts";
import { checkpointStatusAt } from "../ledger/status.ts";
import { settlementTxHash } from "../ledger/tx.ts";
import { txHash as laneTxHash } from "../../shared/stf/tx.ts";
import type { BlockView, NodeStatus, ProvableState } from "./backend.ts";
import type { TxInclusion } from "./recent-txs.ts";
import type * as s from "./schemas.ts";

export const hex = (b: Uint8Array): string => `0x${toHex(b)}`;

export function txInclusionJson(t: TxInclusion): z.infer<typeof s.txResponse> {
  return {
    hash: hex(t.hash),
    state: "committed",
    height: String(t.height),
    blockHash: hex(t.blockHash),
    index: t.index,
    status: t.status,
    statusName: ledgerStatusName(t.status),
    feePaid: String(t.feePaid),
  };
}

export function statusJson(n: NodeStatus): z.infer<typeof s.statusResponse> {
  return {
    chainId: n.chainId,
    height: String(n.height),
    lastBlockHash: hex(n.lastBlockHash),
    address: formatAddress(n.address),
    catchingUp: n.catchingUp,
    peers: n.peers,
  };
}

export function blockJson(b: BlockView): z.infer<typeof s.blockResponse> {
  return {
    height: String(b.height),
    hash: hex(b.hash),
    encoded: hex(b.encoded),
    lastBlockHash: hex(b.lastBlockHash),
    timeMs: String(b.timeMs),
    proposer: hex(b.proposer),
    appHash: hex(b.appHash),
    txs: b.txs.map((tx) => ({ hash: hex(settlementTxHash(tx)), bytes: hex(tx) })),
    receipts:
      b.receipts?.map((r) => ({
        index: r.index,
        hash: hex(r.hash),
        status: r.status,
        statusName: ledgerStatusName(r.status),
        feePaid: String(r.feePaid),
      })) ?? null,
    certificate: certificateJson(b.certificate),
  };
}

export function certificateJson(c: CommitCertificate): z.infer<typeof s.certificateJson> {
  return {
    height: String(c.height),
    round: c.round,
    valueId: hex(c.valueId),
    precommits: c.precommits.map((p) => ({
      validatorIndex: p.vote.validatorIndex,
      signature: hex(p.signature),
      ...(p.vote.extension.length > 0 ? { extension: hex(p.vote.extension) } : {}),
    })),
  };
}

/**
 * A checkpoint record proven against the state after `p.height`
 * (GET /v1/lanes/:id/checkpoints/:index/proof); undefined when that state
 * holds no such checkpoint. shared/sdk verifyCheckpointProof checks it.
 */
export function checkpointProofJson(
  p: ProvableState,
  lane: number,
  index: bigint,
): z.infer<typeof s.checkpointProofResponse> | undefined {
  const key = ledgerKeys.checkpoint(lane, index);
  const value = p.state.get(key);
  if (value === undefined) return undefined;
  return {
    lane,
    index: String(index),
    height: String(p.height),
    block: hex(p.block),
    certificate: certificateJson(p.certificate),
    key: hex(key),
    value: hex(value),
    proof: hex(encodeSmtProof(p.prove(key))),
  };
}

export function validatorJson(v: ValidatorRecord, power: bigint): z.infer<typeof s.validatorJson> {
  const status = v.tombstoned ? "tombstoned" : v.jailed ? "jailed" : v.stake === 0n ? "unbonding" : "active";
  const announced = v.maintenanceToHeight > 0n;
  return {
    address: formatAddress(accountAddressOf(v.publicKey)),
    publicKey: hex(v.publicKey),
    stake: String(v.stake),
    power: String(power),
    status,
    jailedUntilHeight: String(v.jailedUntilHeight),
    maintenance: announced
      ? { fromHeight: String(v.maintenanceFromHeight), toHeight: String(v.maintenanceToHeight) }
      : null,
    rewardsTotal: String(v.rewardsTotal),
    slashedTotal: String(v.slashedTotal),
  };
}

export function laneJson(l: LaneRecord): z.infer<typeof s.laneJson> {
  return {
    id: l.id,
    owner: formatAddress(l.owner),
    sequencer: hex(l.sequencer),
    bond: String(l.bond),
    escrow: String(l.escrow),
    challengeWindowBlocks: String(l.challengeWindowBlocks),
    genesisRoot: hex(l.genesisRoot),
    lastRoot: hex(l.lastRoot),
    checkpointCount: String(l.checkpointCount),
    depositCount: String(l.depositCount),
    withdrawalCount: String(l.withdrawalCount),
    stfVersion: l.stfVersion,
    genesisEscrow: String(l.genesisEscrow),
    depositedTotal: String(l.depositedTotal),
    paidTotal: String(l.paidTotal),
    depositsConsumed: String(l.depositsConsumed),
    forcedInclusionBlocks: String(l.forcedInclusionBlocks),
    forcedCount: String(l.forcedCount),
    forcedConsumed: String(l.forcedConsumed),
    status: l.frozenHeight === 0n ? "active" : "frozen",
    frozenHeight: l.frozenHeight === 0n ? null : String(l.frozenHeight),
  };
}

/** What the finality estimate needs: the committed height, its block time and the recent block interval. */
export type Clock = { height: bigint; timeMs: bigint; blockIntervalMs: bigint };

export function checkpointJson(c: CheckpointRecord, clock: Clock): z.infer<typeof s.checkpointJson> {
  const status = checkpointStatusAt(c, clock.height);
  // A committed checkpoint is at least settled; "checkpointed" only shows for a block not yet committed.
  const nextHeight = status === "checkpointed" ? c.postedHeight : c.finalHeight;
  const blocksRemaining = nextHeight > clock.height ? nextHeight - clock.height : 0n;
  return {
    lane: c.lane,
    index: String(c.index),
    prevRoot: hex(c.prevRoot),
    newRoot: hex(c.newRoot),
    withdrawalCount: String(c.withdrawalCount),
    depositCursor: String(c.depositCursor),
    forcedCursor: String(c.forcedCursor),
    batchHash: hex(c.batchHash),
    stfVersion: c.stfVersion,
    postedHeight: String(c.postedHeight),
    finalHeight: String(c.finalHeight),
    finality: {
      status,
      next:
        status === "final"
          ? null
          : {
              status: status === "checkpointed" ? "settled" : "final",
              height: String(nextHeight),
              blocksRemaining: String(blocksRemaining),
              estimatedTimeMs: String(clock.timeMs + blocksRemaining * clock.blockIntervalMs),
            },
    },
  };
}

export function batchDataJson(
  c: CheckpointRecord,
  batchData: Uint8Array,
): z.infer<typeof s.batchDataResponse> {
  return { lane: c.lane, index: String(c.index), batchHash: hex(c.batchHash), batchData: hex(batchData) };
}

export function depositJson(d: DepositRecord): z.infer<typeof s.depositJson> {
  return {
    id: String(d.id),
    lane: d.lane,
    laneDepositId: hex(d.laneDepositId),
    sender: formatAddress(d.sender),
    recipient: hex(d.recipient),
    amount: String(d.amount),
    height: String(d.height),
  };
}

export function forcedTxJson(f: ForcedTxRecord, lane: LaneRecord): z.infer<typeof s.forcedTxJson> {
  return {
    id: String(f.id),
    lane: f.lane,
    sender: formatAddress(f.sender),
    tx: hex(f.tx),
    txHash: hex(laneTxHash(f.tx)),
    height: String(f.height),
    deadlineHeight: String(f.deadlineHeight),
    included: f.id < lane.forcedConsumed,
  };
}

export function withdrawalJson(
  lane: number,
  id: bigint,
  w: WithdrawalPaidRecord,
): z.infer<typeof s.withdrawalResponse> {
  return {
    id: `${lane}-${id}`,
    lane,
    withdrawalId: String(id),
    status: "paid",
    checkpointIndex: String(w.checkpointIndex),
    height: String(w.height),
    amount: String(w.amount),
  };
}
