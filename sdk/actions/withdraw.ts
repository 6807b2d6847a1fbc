import { withdrawPayload } from "../../shared/sdk/payloads.ts";
import type { Account } from "../../shared/sdk/secretKeyToAccount.ts";
import { NATIVE_ASSET } from "../../shared/stf/records.ts";
import type { BitlayerClientBase } from "../client.ts";
import { WaitTimeoutError, type WaitTimeoutErrorType, type WithdrawalErrorType } from "../errors.ts";
import { type LaneAddress, publicKeyOf } from "../internal.ts";
import { settlementRequestOrNull } from "../request.ts";
import { type FinalityStatus, finalityRank, type SettlementCheckpoint } from "../types.ts";
import { type ClaimWithdrawalErrorType, claimWithdrawal } from "./claimWithdrawal.ts";
import { type EstimateTimeToFinalReturnType, estimateTimeToFinal } from "./estimateTimeToFinal.ts";
import { findWithdrawalId } from "./findWithdrawalId.ts";
import { getWithdrawalProof } from "./getWithdrawalProof.ts";
import { type SendTransactionErrorType, sendTransaction } from "./sendTransaction.ts";

/** Where a withdrawal is: the finality ladder of its lane transaction, then paid on settlement. */
export type WithdrawStatus = FinalityStatus | "claimed";

export type WithdrawProgress = {
  status: WithdrawStatus;
  /** The lane withdraw transaction's hash. */
  hash: string;
  withdrawalId: bigint | null;
  checkpointIndex: number | null;
  /** With soft/checkpointed/settled: when `final` is expected (estimateTimeToFinal). */
  estimate: EstimateTimeToFinalReturnType | null;
  /** Milliseconds since withdraw() was called. */
  elapsedMs: number;
};

export type WithdrawParameters = {
  /** Burns `amount` on the lane (signs the lane tx) and, by default, signs the claim on settlement. */
  account: Account;
  amount: bigint;
  /** The lane address whose settlement account is paid; default `account`. */
  recipient?: LaneAddress;
  /** Who signs and pays the settlement claim; default `account`. */
  claimAccount?: Account;
  /** Default 600,000 ms for the whole flow. */
  timeoutMs?: number;
  /** Default 250 ms. */
  pollingIntervalMs?: number;
  /** Called at each new status, awaited (a test can drive time controls from here). */
  onProgress?: (progress: WithdrawProgress) => void | Promise<void>;
};

export type WithdrawReturnType = {
  hash: string;
  withdrawalId: bigint;
  checkpointIndex: bigint;
  amount: bigint;
  /** The settlement claim ("0x…") and the block that paid it. */
  claimHash: string;
  claimHeight: bigint;
  /** Milliseconds from the call to each status. */
  timings: Partial<Record<WithdrawStatus, number>>;
};
export type WithdrawErrorType =
  | SendTransactionErrorType
  | ClaimWithdrawalErrorType
  | WithdrawalErrorType
  | WaitTimeoutErrorType;

/**
 * The whole withdrawal from the lane to settlement: a lane `withdraw`
 * transaction burns the amount and writes a withdrawal leaf (status `soft`);
 * the lane checkpoints it (`checkpointed`), settlement commits the checkpoint
 * (`settled`), the challenge window passes (`final`, read from settlement
 * itself), then a `claimWithdrawal` with the leaf's Merkle proof pays the
 * recipient on settlement (`claimed`). `onProgress` sees every status with an
 * estimate of the time to `final`. In tests, sdk/testing's time controls
 * make the whole flow take seconds.
 *
 * @example
 * const w = await client.withdraw({
 *   account: alice,
 *   amount: 25_000n,
 *   onProgress: (p) => console.log(p.status, p.estimate?.remainingMs),
 * });
 * console.log(w.claimHash, w.timings.final);
 */
export async function withdraw(
  client: BitlayerClientBase,
  p: WithdrawParameters,
): Promise<WithdrawReturnType> {
  const { transport } = client;
  const t0 = transport.nowMs();
  const timeoutMs = p.timeoutMs ?? 600_000;
  const deadline = t0 + timeoutMs;
  const timings: Partial<Record<WithdrawStatus, number>> = {};
  const recipient = publicKeyOf(p.recipient ?? p.account, "recipient");
  const sent = await sendTransaction(client, {
    account: p.account,
    payload: withdrawPayload({ asset: NATIVE_ASSET, amount: p.amount, recipient }),
  });
  const { withdrawalId } = await findWithdrawalId(client, { receipt: sent.receipt });

  let reported: WithdrawStatus | null = null;
  let checkpointIndex: number | null = null;
  const report = async (status: WithdrawStatus) => {
    if (status === reported) return;
    reported = status;
    timings[status] = transport.nowMs() - t0;
    const estimate =
      status === "soft" || status === "checkpointed" || status === "settled"
        ? await estimateTimeToFinal(client, { hash: sent.hash }).catch(() => null)
        : null;
    await p.onProgress?.({
      status,
      hash: sent.hash,
      withdrawalId,
      checkpointIndex,
      estimate,
      elapsedMs: transport.nowMs() - t0,
    });
  };

  await report(sent.receipt.finality);
  for (;;) {
    const view = await getWithdrawalProof(client, { withdrawalId });
    let status: FinalityStatus = view.finality;
    if (view.checkpoint) {
      checkpointIndex = Number(view.checkpoint.index);
      // Settlement decides finality; the lane only learns it at its next poll.
      const held = await settlementRequestOrNull<SettlementCheckpoint>(
        client,
        `/v1/lanes/${client.lane}/checkpoints/${view.checkpoint.index}`,
      );
      if (held && finalityRank(held.finality.status) > finalityRank(status)) status = held.finality.status;
    }
    // Never report a step down the ladder (a lagging validator).
    if (reported === null || finalityRank(status) > finalityRank(reported as FinalityStatus))
      await report(status);
    if (status === "final") break;
    if (transport.nowMs() >= deadline)
      throw new WaitTimeoutError(
        `withdrawal ${withdrawalId} to become final`,
        timeoutMs,
        reported ?? undefined,
      );
    await transport.sleep(p.pollingIntervalMs ?? 250);
  }
  const claim = await claimWithdrawal(client, {
    account: p.claimAccount ?? p.account,
    withdrawalId,
    timeoutMs: Math.max(1000, deadline - transport.nowMs()),
  });
  await report("claimed");
  return {
    hash: sent.hash,
    withdrawalId,
    checkpointIndex: claim.checkpointIndex,
    amount: p.amount,
    claimHash: claim.hash,
    claimHeight: claim.height,
    timings,
  };
}
