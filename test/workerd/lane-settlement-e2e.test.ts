/**
 * The edge lane in workerd against a real settlement cluster (four validator
 * processes on loopback, started by settlement-cluster.setup.ts): a deposit
 * on settlement appears on the lane exactly once; trades and mints; a
 * withdrawal climbs soft → checkpointed → settled → final; the SDK builds the
 * proof and claims it on settlement, which pays it once and refuses the
 * second claim with code 66. Forced inclusion: a forced transaction (and a
 * failing one) is included and covered by a checkpoint; a lane whose inbox
 * poller is stopped is frozen by settlement once the bound passes.
 *
 * Nothing here is a double: the Sequencer's own alarm polls and posts to the
 * validators, and every figure is read back from both layers' APIs.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  encodeSettlementTx,
  type SettlementPayload,
  settlementTxSignBytes,
} from "../../settlement-node/ledger/tx.ts";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { publicKeyFromSecret, sign } from "../../shared/crypto/keys.ts";
import { createSigner, deriveSeed } from "../../shared/lane/index.ts";
import { signedTx, type TestAccount } from "../../shared/lane/testing.ts";
import { buildWithdrawalClaim } from "../../shared/sdk/buildWithdrawalClaim.ts";
import { getWithdrawalProof } from "../../shared/sdk/getWithdrawalProof.ts";
import { verifyCheckpointProof } from "../../shared/sdk/verifyCheckpointProof.ts";
import { WithdrawalNotFinalError } from "../../shared/sdk/withdrawalErrors.ts";
import { GAS } from "../../shared/stf/limits.ts";
import { NATIVE_ASSET, tokenIdOf } from "../../shared/stf/records.ts";
import { type TxBody, type TxPayload, txHash } from "../../shared/stf/tx.ts";
import type { Env } from "../../workers/src/env.ts";
import app from "../../workers/src/index.ts";
import type { SettlementCluster } from "./settlement-cluster.setup.ts";

const e = env as unknown as Env & Record<string, string>;
const cluster = inject("settlement") as SettlementCluster | null;
const LANE = 1;
const FEE = 10n;

const accounts: TestAccount[] = Array.from({ length: 3 }, (_, i) => {
  const secretKey = deriveSeed(fromHex(e.DEVNET_ACCOUNTS_SEED), `account/${i}`);
  return { secretKey, publicKey: publicKeyFromSecret(secretKey), signer: createSigner(secretKey) };
});
const [alice, bob, carol] = accounts as [TestAccount, TestAccount, TestAccount];

// biome-ignore lint/suspicious/noExplicitAny: JSON from the APIs under test
type Json = any;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (logs in ${cluster?.dir})`);
    await sleep(50);
  }
}

// ---- settlement (real validators over HTTP) ------------------------------

async function settlement(path: string): Promise<{ status: number; body: Json }> {
  let last: unknown;
  for (const url of cluster!.urls) {
    try {
      const r = await fetch(url + path);
      if (r.status >= 500) continue;
      return { status: r.status, body: await r.json() };
    } catch (error) {
      last = error;
    }
  }
  throw new Error(`no validator answered ${path}: ${String(last)}`);
}
const settlementLane = async (): Promise<Json> => (await settlement(`/v1/lanes/${LANE}`)).body;
const settlementAddress = (i: number) => cluster!.accounts[i]!.address;
const settlementBalance = async (i: number): Promise<bigint> =>
  BigInt((await settlement(`/v1/accounts/${settlementAddress(i)}`)).body.balance);

/** Signs and submits a settlement tx from devnet account `i`; resolves with its ledger status once committed. */
async function settle(i: number, payload: SettlementPayload): Promise<number> {
  return (await settleMany(i, [payload]))[0]!;
}

/** Submits payloads from account `i` with consecutive nonces (one mempool batch), then waits for all. */
async function settleMany(i: number, payloads: SettlementPayload[]): Promise<number[]> {
  const who = accounts[i]!;
  const { body: acc } = await settlement(`/v1/accounts/${settlementAddress(i)}`);
  const { body: status } = await settlement("/v1/status");
  const hashes: string[] = [];
  for (const [k, payload] of payloads.entries()) {
    const body = { sender: who.publicKey, nonce: BigInt(acc.nonce) + BigInt(k), fee: FEE, payload };
    const signature = sign(who.secretKey, settlementTxSignBytes(cluster!.chainId, body));
    const hex = `0x${toHex(encodeSettlementTx({ body, signature }))}`;
    const r = await fetch(`${cluster!.urls[0]}/v1/txs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tx: hex }),
    });
    const answer = (await r.json()) as Json;
    if (r.status !== 202) throw new Error(`settlement refused ${payload.type}: ${JSON.stringify(answer)}`);
    hashes.push(answer.hash);
  }
  const statuses = new Map<string, number>();
  let height = BigInt(status.height);
  await until("settlement txs committed", async () => {
    const latest = BigInt((await settlement("/v1/status")).body.height);
    for (; height <= latest; height++) {
      const { status: code, body: block } = await settlement(`/v1/blocks/${height}`);
      if (code !== 200) return undefined;
      (block.txs as { hash: string }[]).forEach((t, k) => {
        if (hashes.includes(t.hash)) statuses.set(t.hash, block.receipts[k].status as number);
      });
    }
    return statuses.size === hashes.length ? true : undefined;
  });
  return hashes.map((h) => statuses.get(h)!);
}

// ---- the lane (the Worker in this isolate) --------------------------------

const lane = async (path: string, init?: RequestInit): Promise<Json> =>
  (await app.request(`/v1/lanes/${LANE}${path}`, init, e)).json();
const laneBalance = async (who: TestAccount): Promise<bigint> =>
  BigInt((await lane(`/accounts/${toHex(who.publicKey)}`)).value.balance);
const laneNonce = async (who: TestAccount): Promise<bigint> =>
  BigInt((await lane(`/accounts/${toHex(who.publicKey)}`)).value.nonce);

function txBody(sender: TestAccount, nonce: bigint, payload: TxPayload): TxBody {
  return {
    chainId: e.CHAIN_ID,
    lane: LANE,
    sender: sender.publicKey,
    nonce,
    maxFeePerGas: 1_000n,
    tipPerGas: 0n,
    idempotencyKey: null,
    payload,
  };
}
async function laneSubmit(sender: TestAccount, payload: TxPayload): Promise<Json> {
  const bytes = await signedTx(txBody(sender, await laneNonce(sender), payload), accounts);
  const r = await lane("/txs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tx: toHex(bytes) }),
  });
  expect(r.status, JSON.stringify(r)).toBe("included");
  return r.receipt;
}

beforeAll(() => {
  if (!cluster) throw new Error("The settlement cluster was not started (settlement-cluster.setup.ts).");
  // Read by the Sequencer when it opens (checkpoint age) and at every alarm (poster, inbox).
  e.SETTLEMENT_URLS = cluster.urls.join(",");
  // The lane records settled/final only from checkpoint proofs certified by this set.
  e.SETTLEMENT_VALIDATORS = cluster.validators;
  e.CHECKPOINT_AGE_MS_MAX = "300";
  e.SETTLEMENT_POLL_MS = "150";
  e.SETTLEMENT_BACKOFF_MS_MIN = "200";
  e.SETTLEMENT_BACKOFF_MS_MAX = "1000";
  e.SETTLEMENT_REPOST_MS = "3000";
  e.LANE_INBOX_POLL_MS = "200";
});

describe("lane ↔ settlement end to end (real validators)", () => {
  const deposited = 50_000n;
  const withdrawn = 30_000n;

  it("a deposit on settlement is credited on the lane exactly once", async () => {
    const laneBefore = await settlementLane();
    const aliceLaneBefore = await laneBalance(alice);
    const aliceSettleBefore = await settlementBalance(0);
    expect(laneBefore.status).toBe("active");

    const status = await settle(0, {
      type: "depositToLane",
      lane: LANE,
      recipient: alice.publicKey,
      amount: deposited,
    });
    expect(status).toBe(0);
    expect(await settlementBalance(0)).toBe(aliceSettleBefore - deposited - FEE);
    const laneAfter = await settlementLane();
    expect(BigInt(laneAfter.escrow)).toBe(BigInt(laneBefore.escrow) + deposited);
    expect(BigInt(laneAfter.depositCount)).toBe(BigInt(laneBefore.depositCount) + 1n);

    // The lane's alarm polls settlement and applies it in an inbox block.
    await until("the deposit on the lane", async () =>
      (await laneBalance(alice)) > aliceLaneBefore ? true : undefined,
    );
    expect(await laneBalance(alice)).toBe(aliceLaneBefore + deposited);
    // Several more polls later it is still credited once.
    await sleep(1_000);
    expect(await laneBalance(alice)).toBe(aliceLaneBefore + deposited);
    // Settlement accepts the checkpoint that consumes it (the cursor matches the batch).
    await until("a checkpoint consuming the deposit", async () =>
      (await settlementLane()).depositsConsumed === laneAfter.depositCount ? true : undefined,
    );
  });

  it("trades and mints, then a withdrawal climbs to final and is paid on settlement exactly once", async () => {
    // Trades and mints on the lane.
    const token = tokenIdOf(alice.publicKey, "GOLD");
    await laneSubmit(alice, { type: "createToken", symbol: "GOLD", decimals: 0, supplyMax: 1_000_000n });
    await laneSubmit(alice, { type: "mintToken", tokenId: token, to: bob.publicKey, amount: 500n });
    await laneSubmit(bob, {
      type: "mintItem",
      referenceId: new Uint8Array([1, 2, 3]),
      owner: bob.publicKey,
      metadata: new Uint8Array([7]),
    });
    await laneSubmit(alice, { type: "transfer", to: carol.publicKey, amount: 1_000n });
    const bobTokens = await lane(`/accounts/${toHex(bob.publicKey)}/tokens/${toHex(token)}`);
    expect(bobTokens.value.balance).toBe("500");

    // The withdrawal: burns on the lane, fee = gas × base fee (tip 0).
    const aliceLaneBefore = await laneBalance(alice);
    const baseFee = BigInt((await lane("/status")).baseFeePerGas);
    const receipt = await laneSubmit(alice, {
      type: "withdraw",
      asset: NATIVE_ASSET,
      amount: withdrawn,
      recipient: alice.publicKey,
    });
    expect(receipt.finality).toBe("soft");
    expect(await laneBalance(alice)).toBe(aliceLaneBefore - withdrawn - GAS.withdraw * baseFee);
    const withdrawalId = BigInt((await settlementLane()).withdrawalCount);
    const sdkFetch = async (input: string) => app.request(input.replace("http://edge", ""), {}, e);
    const early = await getWithdrawalProof({ url: "http://edge", lane: LANE, withdrawalId, fetch: sdkFetch });
    expect(early.withdrawal.amount).toBe(withdrawn);
    expect(() => buildWithdrawalClaim({ proof: early })).toThrow(WithdrawalNotFinalError);

    // Every rung of the ladder, observed on the receipt.
    const seen: string[] = [];
    await until(
      "the withdrawal final",
      async () => {
        const r = await lane(`/receipts/${receipt.receipt.txHash}`);
        if (seen.at(-1) !== r.finality) seen.push(r.finality);
        return r.finality === "final" ? true : undefined;
      },
      90_000,
    );
    expect(seen[0]).toBe("soft");
    expect(seen).toEqual(["soft", "checkpointed", "settled", "final"].filter((s) => seen.includes(s)));
    expect(seen).toContain("settled");
    expect(seen).toContain("checkpointed");

    // The SDK builds the claim from the lane's proof; settlement pays it.
    const proof = await getWithdrawalProof({ url: "http://edge", lane: LANE, withdrawalId, fetch: sdkFetch });
    expect(proof.finality).toBe("final");
    const { body: cp } = await settlement(`/v1/lanes/${LANE}/checkpoints/${proof.checkpoint!.index}`);
    expect(cp.finality.status).toBe("final");
    expect(cp.newRoot).toBe(`0x${toHex(proof.checkpoint!.root)}`);
    // The lane reached final from proofs it verified against the genesis validator set.
    expect((await lane("/status")).settlementVerification).toEqual({
      mode: "verified",
      validators: 4,
      totalPower: String(cluster!.validators.split(",").reduce((t, v) => t + BigInt(v.split(":")[1]!), 0n)),
    });
    const served = (await settlement(`/v1/lanes/${LANE}/checkpoints/${proof.checkpoint!.index}/proof`)).body;
    const verified = await verifyCheckpointProof({
      chainId: cluster!.chainId,
      validators: cluster!.validators.split(",").map((v) => {
        const [publicKey, power] = v.split(":") as [string, string];
        return { publicKey, power };
      }),
      lane: LANE,
      index: BigInt(proof.checkpoint!.index),
      proof: served,
    });
    expect(verified.valid ? verified.status : verified.reason).toBe("final");
    const payload = buildWithdrawalClaim({ proof });
    const laneBefore = await settlementLane();
    const aliceSettleBefore = await settlementBalance(0);
    expect(await settle(0, payload)).toBe(0);
    expect(await settlementBalance(0)).toBe(aliceSettleBefore + withdrawn - FEE);
    const laneAfter = await settlementLane();
    expect(BigInt(laneAfter.escrow)).toBe(BigInt(laneBefore.escrow) - withdrawn);
    expect(BigInt(laneAfter.paidTotal)).toBe(BigInt(laneBefore.paidTotal) + withdrawn);
    const paid = await settlement(`/v1/withdrawals/${LANE}-${withdrawalId}`);
    expect(paid.body).toMatchObject({ status: "paid", amount: String(withdrawn) });

    // A second claim (from anyone) is refused with a stable code and pays nothing.
    const bobBefore = await settlementBalance(1);
    expect(await settle(1, payload)).toBe(66);
    expect(await settlementBalance(1)).toBe(bobBefore - FEE);
    expect((await settlementLane()).escrow).toBe(laneAfter.escrow);
  });
});

describe("forced inclusion (real validators)", () => {
  it("a forced transaction, and one that fails the STF, are included first and covered by a checkpoint", async () => {
    const nonce = await laneNonce(bob);
    const ok = await signedTx(
      txBody(bob, nonce, { type: "transfer", to: carol.publicKey, amount: 77n }),
      accounts,
    );
    // A stale nonce: the STF rejects it, yet it counts as included (with its code).
    const stale = await signedTx(
      txBody(bob, nonce + 5n, { type: "transfer", to: carol.publicKey, amount: 1n }),
      accounts,
    );
    const carolBefore = await laneBalance(carol);
    const before = await settlementLane();
    expect(
      await settleMany(1, [
        { type: "forceLaneTx", lane: LANE, tx: ok },
        { type: "forceLaneTx", lane: LANE, tx: stale },
      ]),
    ).toEqual([0, 0]);
    const { body: listed } = await settlement(`/v1/lanes/${LANE}/forced?from=${before.forcedCount}`);
    expect(listed.forced.map((f: Json) => f.txHash)).toEqual(
      [toHex(txHash(ok)), toHex(txHash(stale))].map((h) => `0x${h}`),
    );

    const receiptOk = await until("the forced tx's receipt", async () => {
      const r = await app.request(`/v1/lanes/${LANE}/receipts/${toHex(txHash(ok))}`, {}, e);
      return r.status === 200 ? ((await r.json()) as Json) : undefined;
    });
    expect(receiptOk.receipt.status).toBe(0);
    expect(receiptOk.receipt.index).toBe(0);
    expect(await laneBalance(carol)).toBe(carolBefore + 77n);
    const receiptStale = await until("the failing forced tx's receipt", async () => {
      const r = await app.request(`/v1/lanes/${LANE}/receipts/${toHex(txHash(stale))}`, {}, e);
      return r.status === 200 ? ((await r.json()) as Json) : undefined;
    });
    expect(receiptStale.receipt.status).not.toBe(0);
    if (listed.forced[0].height === listed.forced[1].height) {
      // In one settlement block, so one lane poll finds both: first in one lane block, in order.
      expect(receiptStale.receipt.height).toBe(receiptOk.receipt.height);
      expect(receiptStale.receipt.index).toBe(1);
    } else {
      expect(BigInt(receiptStale.receipt.height)).toBeGreaterThanOrEqual(BigInt(receiptOk.receipt.height));
    }

    // Settlement accepts the checkpoint that covers both: the lane stays live.
    const target = String(BigInt(before.forcedCount) + 2n);
    await until("a checkpoint covering the forced txs", async () =>
      (await settlementLane()).forcedConsumed === target ? true : undefined,
    );
    const { body: after } = await settlement(`/v1/lanes/${LANE}/forced?from=${before.forcedCount}`);
    expect(after.forced.map((f: Json) => f.included)).toEqual([true, true]);
    expect((await settlementLane()).status).toBe("active");
  });

  it("a lane that ignores a forced transaction (poller stopped) is frozen once the bound passes", async () => {
    // Injected fault: the lane stops reading its inbox from settlement.
    e.LANE_INBOX_POLL_MS = "0";
    const nonce = await laneNonce(carol);
    const ignored = await signedTx(
      txBody(carol, nonce, { type: "transfer", to: bob.publicKey, amount: 5n }),
      accounts,
    );
    expect(await settle(2, { type: "forceLaneTx", lane: LANE, tx: ignored })).toBe(0);
    const { body: pending } = await settlement(
      `/v1/lanes/${LANE}/forced?from=${(await settlementLane()).forcedCount - 1}`,
    );
    const deadline = BigInt(pending.forced[0].deadlineHeight);
    // The lane keeps checkpointing other work meanwhile, without the forced tx.
    await laneSubmit(alice, { type: "transfer", to: bob.publicKey, amount: 3n });
    const frozen = await until(
      "the lane frozen",
      async () => {
        const l = await settlementLane();
        return l.status === "frozen" ? l : undefined;
      },
      90_000,
    );
    expect(BigInt(frozen.frozenHeight)).toBe(deadline + 1n);
    expect(frozen.forcedConsumed).not.toBe(frozen.forcedCount);
    // Frozen: settlement takes no more deposits (code 44, LaneFrozen) and no more checkpoints.
    expect(
      await settle(0, { type: "depositToLane", lane: LANE, recipient: alice.publicKey, amount: 1n }),
    ).toBe(44);
    await laneSubmit(alice, { type: "transfer", to: bob.publicKey, amount: 4n });
    await sleep(2_000);
    expect((await settlementLane()).checkpointCount).toBe(frozen.checkpointCount);
    const receipt = await app.request(`/v1/lanes/${LANE}/receipts/${toHex(txHash(ignored))}`, {}, e);
    expect(receipt.status).toBe(404);
  });
});
