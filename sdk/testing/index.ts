/**
 * Time controls for tests (issue #7 item 2): advance the lane's clock, fire
 * its alarm, seal, force a checkpoint, and fast-forward settlement blocks so a
 * challenge window passes in seconds. They call dev-only routes that exist
 * only when the network runs with BITLAYER_DEV=1 — the devnet does; a
 * production edge or validator answers 404, which these turn into
 * DevControlsUnavailableError.
 *
 * Not here: opening a challenge. Fraud proofs and disputes are not built
 * yet, so there is nothing real to open.
 *
 * @example
 * import { createTestClient } from "bitlayer/sdk/testing";
 * const client = createTestClient({ edgeUrl, settlementUrls, chainId, lane: 1 });
 * const { hash } = await client.transfer({ account: alice, to: bob, amount: 5n });
 * await client.finalize({ hash }); // checkpoint, commit, pass the challenge window
 */
import { BitlayerError } from "../../shared/errors.ts";
import { waitForStatus } from "../actions/waitForStatus.ts";
import {
  type BitlayerClient,
  type BitlayerClientBase,
  type BitlayerClientConfig,
  createBitlayerClient,
} from "../client.ts";
import { HttpRequestError, NotFoundError, WaitTimeoutError } from "../errors.ts";
import { edgeRequest, settlementRequest, settlementRequestOrNull } from "../request.ts";
import type { ReceiptView, SettlementCheckpoint } from "../types.ts";

export type DevControlsUnavailableErrorType = DevControlsUnavailableError;
/** The edge or a validator does not serve the dev routes (not started with BITLAYER_DEV=1). */
export class DevControlsUnavailableError extends BitlayerError {
  override name = "DevControlsUnavailableError" as const;
  constructor(url: string, cause: unknown) {
    super(`${url} has no time controls: start it with BITLAYER_DEV=1 (the devnet, npm start, does).`, {
      cause,
      docsPath: "sdk.md#time-controls",
    });
  }
}

/** The lane's state after a time control (workers/src/sequencer/types.ts DevLaneState). */
export type DevLaneState = {
  lane: number;
  clockOffsetMs: number;
  laneTimeMs: number;
  height: string;
  pendingBlocks: number;
  lastCheckpoint: { index: number; status: string } | null;
};

async function devLane(client: BitlayerClientBase, action: string, body?: unknown): Promise<DevLaneState> {
  const path = `/v1/dev/lanes/${client.lane}/${action}`;
  try {
    return await edgeRequest<DevLaneState>(client, path, { method: "POST", body: body ?? {} });
  } catch (error) {
    if (error instanceof NotFoundError) throw new DevControlsUnavailableError(client.edgeUrl + path, error);
    throw error;
  }
}

/**
 * Moves the lane's clock forward by `ms` (block timestamps and checkpoint
 * age), then runs its alarm: blocks that thereby became old enough are
 * checkpointed and posted at once.
 *
 * @example
 * await advanceTime(client, { ms: 60_000 });
 */
export function advanceTime(client: BitlayerClientBase, p: { ms: number }): Promise<DevLaneState> {
  return devLane(client, "advance-time", { ms: p.ms });
}

/**
 * Runs the lane's alarm now with every unfinished checkpoint due: posts
 * built ones, and reads settlement's status of posted ones (so receipts
 * pick up `settled`/`final` without waiting for the next poll). Also makes
 * the lane read settlement's inbox (deposits, forced transactions).
 *
 * @example
 * await fireAlarm(client);
 */
export function fireAlarm(client: BitlayerClientBase): Promise<DevLaneState> {
  return devLane(client, "alarm");
}

/**
 * Seals the lane's open block. Each submit step already seals the blocks it
 * fills, so this returns the head at once: after any acknowledged
 * transaction its block is sealed.
 *
 * @example
 * const { height } = await sealBlock(client);
 */
export function sealBlock(client: BitlayerClientBase): Promise<DevLaneState> {
  return devLane(client, "seal");
}

/**
 * Checkpoints every pending lane block now (whatever its age) and posts the
 * checkpoint to settlement.
 *
 * @example
 * const { lastCheckpoint } = await forceCheckpoint(client);
 */
export function forceCheckpoint(client: BitlayerClientBase): Promise<DevLaneState> {
  return devLane(client, "checkpoint");
}

export type MineSettlementBlocksParameters = {
  /** How many blocks past the current height (give this or toHeight). */
  blocks?: number;
  toHeight?: bigint;
  /** Default 60,000 ms. */
  timeoutMs?: number;
};

/**
 * Makes settlement commit blocks back to back (no empty-block interval)
 * until it reaches the target height, and waits for it. Every validator is
 * asked (they all pace their own heights); blocks are real: proposed, voted
 * and committed as usual.
 *
 * @example
 * await mineSettlementBlocks(client, { blocks: 20 }); // a 20-block challenge window passes
 */
export async function mineSettlementBlocks(
  client: BitlayerClientBase,
  p: MineSettlementBlocksParameters,
): Promise<{ fromHeight: bigint; height: bigint }> {
  const { transport } = client;
  const { height } = await settlementRequest<{ height: string }>(client, "/v1/status");
  const fromHeight = BigInt(height);
  const target = p.toHeight ?? fromHeight + BigInt(p.blocks ?? 1);
  let asked = 0;
  let lastError: unknown;
  await Promise.all(
    client.settlementUrls.map(async (url) => {
      try {
        const r = await transport.fetch(`${url}/v1/dev/fast-forward`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ toHeight: String(target) }),
          signal: AbortSignal.timeout(transport.timeoutMsRequest),
        });
        await r.text();
        if (r.ok) asked++;
        else lastError = new DevControlsUnavailableError(`${url}/v1/dev/fast-forward`, `HTTP ${r.status}`);
      } catch (error) {
        // A validator that is down does not stop the others (3 of 4 commit alone).
        lastError = new HttpRequestError(url, { cause: error });
      }
    }),
  );
  if (asked === 0) throw lastError ?? new DevControlsUnavailableError("settlement", "no settlement URL");
  const timeoutMs = p.timeoutMs ?? 60_000;
  const deadline = transport.nowMs() + timeoutMs;
  for (;;) {
    const s = await settlementRequest<{ height: string }>(client, "/v1/status");
    if (BigInt(s.height) >= target) return { fromHeight, height: BigInt(s.height) };
    if (transport.nowMs() >= deadline)
      throw new WaitTimeoutError(`settlement height ${target}`, timeoutMs, `height ${s.height}`);
    await transport.sleep(50);
  }
}

export type FinalizeParameters = { hash: string; timeoutMs?: number };

/**
 * Walks a lane transaction to `final` as fast as the stack allows:
 * checkpoint its block now, wait until settlement commits the checkpoint,
 * fast-forward settlement past the challenge window, fire the lane's alarm
 * so it learns, and return the final receipt. A withdrawal's claim can go
 * to settlement right after.
 *
 * @example
 * const { hash } = await client.transfer({ account: alice, to: bob, amount: 5n });
 * const receipt = await finalize(client, { hash }); // receipt.finality === "final"
 */
export async function finalize(client: BitlayerClientBase, p: FinalizeParameters): Promise<ReceiptView> {
  const { transport } = client;
  const timeoutMs = p.timeoutMs ?? 60_000;
  const deadline = transport.nowMs() + timeoutMs;
  const view = await edgeRequest<ReceiptView>(
    client,
    `/v1/lanes/${client.lane}/receipts/${p.hash.replace(/^0x/, "")}`,
  );
  if (view.finality === "final") return view;
  await forceCheckpoint(client);
  const { blocks } = await edgeRequest<{ blocks: { height: number; checkpointIndex: number | null }[] }>(
    client,
    `/v1/lanes/${client.lane}/blocks?from=${view.receipt.height}&limit=1`,
  );
  const index = blocks[0]?.checkpointIndex;
  if (index === null || index === undefined)
    throw new WaitTimeoutError(`a checkpoint of lane block ${view.receipt.height}`, 0, view.finality);
  let held: SettlementCheckpoint | null = null;
  for (;;) {
    held = await settlementRequestOrNull<SettlementCheckpoint>(
      client,
      `/v1/lanes/${client.lane}/checkpoints/${index}`,
    );
    if (held) break;
    if (transport.nowMs() >= deadline)
      throw new WaitTimeoutError(`checkpoint ${index} on settlement`, timeoutMs, view.finality);
    await fireAlarm(client);
    await transport.sleep(50);
  }
  await mineSettlementBlocks(client, { toHeight: BigInt(held.finalHeight), timeoutMs });
  await fireAlarm(client);
  return await waitForStatus(client, {
    hash: p.hash,
    status: "final",
    timeoutMs: Math.max(1000, deadline - transport.nowMs()),
    pollingIntervalMs: 50,
  });
}

const TEST_ACTIONS = {
  advanceTime,
  fireAlarm,
  sealBlock,
  forceCheckpoint,
  mineSettlementBlocks,
  finalize,
} as const;

type Bound<F> = F extends (client: BitlayerClientBase, ...args: infer A) => infer R
  ? (...args: A) => R
  : never;
export type TestActions = { [K in keyof typeof TEST_ACTIONS]: Bound<(typeof TEST_ACTIONS)[K]> };

/** The time controls bound to a client. */
export function testActions(client: BitlayerClientBase): TestActions {
  const bound: Record<string, unknown> = {};
  for (const [name, action] of Object.entries(TEST_ACTIONS))
    bound[name] = (...args: unknown[]) =>
      (action as (c: BitlayerClientBase, ...a: unknown[]) => unknown)(client, ...args);
  return bound as TestActions;
}

export type TestClient = BitlayerClient & TestActions;

/**
 * A client with the time controls bound: everything createBitlayerClient
 * gives, plus advanceTime, fireAlarm, sealBlock, forceCheckpoint,
 * mineSettlementBlocks and finalize.
 *
 * @example
 * const client = createTestClient({ edgeUrl, settlementUrls, chainId, lane: 1 });
 * await client.forceCheckpoint();
 */
export function createTestClient(config: BitlayerClientConfig): TestClient {
  const client = createBitlayerClient(config);
  return Object.assign(client, testActions(client));
}
