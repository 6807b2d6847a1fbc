import { toHex } from "../../shared/bytes.ts";
import type { Account } from "../../shared/sdk/secretKeyToAccount.ts";
import type { BitlayerClientBase } from "../client.ts";
import { WaitTimeoutError, type WaitTimeoutErrorType } from "../errors.ts";
import { type LaneAddress, publicKeyOf, strip0x } from "../internal.ts";
import { settlementRequest } from "../request.ts";
import { getAccount } from "./getAccount.ts";
import {
  type SendSettlementTransactionErrorType,
  sendSettlementTransaction,
} from "./sendSettlementTransaction.ts";
import {
  type WaitForSettlementTransactionErrorType,
  waitForSettlementTransaction,
} from "./waitForSettlementTransaction.ts";

export type DepositParameters = {
  /** Pays `amount` (plus the settlement fee) from its settlement balance. */
  account: Account;
  /** Base units of the native token moved into the lane's escrow. */
  amount: bigint;
  /** Who is credited on the lane; default `account`'s own lane address. */
  recipient?: LaneAddress;
  fee?: bigint;
  /** "settlement" (default): return once settlement committed the deposit. "lane": also wait until the lane credited it. */
  waitFor?: "settlement" | "lane";
  /** Default 60,000 ms for each wait. */
  timeoutMs?: number;
  /** Called when the lane has not credited the deposit yet (e.g. a test's fireAlarm to make the lane poll now). */
  onWaitingForLane?: () => Promise<void> | void;
};
export type DepositReturnType = {
  /** The settlement transaction ("0x…"). */
  hash: string;
  /** Settlement height of the block holding it. */
  height: bigint;
  /** Settlement's sequential id of the deposit (per lane) and the 32-byte id the lane credits once (hex). */
  depositId: bigint;
  laneDepositId: string;
  /** With waitFor "lane": the recipient's lane balance after the credit. */
  laneBalance?: bigint;
};
export type DepositErrorType =
  | SendSettlementTransactionErrorType
  | WaitForSettlementTransactionErrorType
  | WaitTimeoutErrorType;

type DepositJson = {
  id: string;
  lane: number;
  laneDepositId: string;
  sender: string;
  recipient: string;
  amount: string;
  height: string;
};

/**
 * Moves native tokens from settlement into this client's lane: signs a
 * `depositToLane` settlement transaction, submits it with failover, follows
 * it into a committed block (the ledger must answer Ok) and finds the
 * deposit settlement recorded for the lane. The lane credits it once when
 * its sequencer next reads settlement's inbox; `waitFor: "lane"` waits for that too.
 *
 * @example
 * const d = await client.deposit({ account: alice, amount: 50_000n, waitFor: "lane" });
 * console.log(d.height, d.laneBalance);
 */
export async function deposit(client: BitlayerClientBase, p: DepositParameters): Promise<DepositReturnType> {
  const recipient = publicKeyOf(p.recipient ?? p.account, "recipient");
  const before = p.waitFor === "lane" ? (await getAccount(client, { address: recipient })).balance : 0n;
  const sent = await sendSettlementTransaction(client, {
    account: p.account,
    payload: { type: "depositToLane", lane: client.lane, recipient, amount: p.amount },
    ...(p.fee === undefined ? {} : { fee: p.fee }),
  });
  const included = await waitForSettlementTransaction(client, {
    hash: sent.hash,
    fromHeight: sent.submittedAtHeight,
    ...(p.timeoutMs === undefined ? {} : { timeoutMs: p.timeoutMs }),
  });
  const record = await findDeposit(client, included.height, p.account.address, toHex(recipient), p.amount);
  const result: DepositReturnType = {
    hash: sent.hash,
    height: included.height,
    depositId: BigInt(record.id),
    laneDepositId: strip0x(record.laneDepositId),
  };
  if (p.waitFor !== "lane") return result;
  const { transport } = client;
  const timeoutMs = p.timeoutMs ?? 60_000;
  const deadline = transport.nowMs() + timeoutMs;
  for (;;) {
    const { balance } = await getAccount(client, { address: recipient });
    if (balance >= before + p.amount) return { ...result, laneBalance: balance };
    if (transport.nowMs() >= deadline)
      throw new WaitTimeoutError(
        `the lane to credit deposit ${record.id}`,
        timeoutMs,
        `lane balance ${balance}`,
      );
    await p.onWaitingForLane?.();
    await transport.sleep(200);
  }
}

/** The deposit record of our transaction: same block, sender, recipient and amount (ids ascend with height). */
async function findDeposit(
  client: BitlayerClientBase,
  height: bigint,
  sender: string,
  recipientHex: string,
  amount: bigint,
): Promise<DepositJson> {
  // Ids ascend with height and ours is recent: start at the last page.
  const lane = await settlementRequest<{ depositCount: string }>(client, `/v1/lanes/${client.lane}`);
  const count = BigInt(lane.depositCount);
  let from = String(count > 200n ? count - 200n : 0n);
  for (;;) {
    const page = await settlementRequest<{ deposits: DepositJson[]; next: string | null }>(
      client,
      `/v1/lanes/${client.lane}/deposits?from=${from}&limit=200`,
    );
    const hit = page.deposits.find(
      (d) =>
        BigInt(d.height) === height &&
        d.sender === sender &&
        strip0x(d.recipient) === recipientHex &&
        BigInt(d.amount) === amount,
    );
    if (hit) return hit;
    if (page.next === null || page.deposits.some((d) => BigInt(d.height) > height))
      throw new WaitTimeoutError(`settlement's record of the deposit in block ${height}`, 0, undefined);
    from = page.next;
  }
}
