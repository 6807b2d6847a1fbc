/**
 * The SDK client (sdk/, createBitlayerClient) for the CLI's configuration,
 * and the rendering of a transaction's result shared by transfer, mint and
 * trade: hash, receipt, finality, optionally waited up the ladder.
 */
import {
  type BitlayerClient,
  createBitlayerClient,
  type TransactionResult,
  txStatusName,
} from "../sdk/index.ts";
import { parseMs, parseStatus, str, table } from "./args.ts";
import type { CommandContext, OptionSpec, Output } from "./command.ts";
import type { Config } from "./config.ts";

export function clientOf(config: Config, o: { settlement?: boolean } = {}): BitlayerClient {
  return createBitlayerClient({
    edgeUrl: config.edgeUrl(),
    settlementUrls: o.settlement === false ? [] : config.settlementUrls(),
    chainId: config.chainId(),
    lane: config.lane(),
  });
}

/** Flags of every command that sends a lane transaction. */
export const WAIT_OPTIONS: Record<string, OptionSpec> = {
  wait: { type: "string" },
  "timeout-ms": { type: "string" },
};
export const WAIT_USAGE = `  --wait STATUS     after the receipt, wait until checkpointed | settled | final
  --timeout-ms MS   how long --wait waits (default 120000); exit 1 when it runs out`;

/** Parses --wait/--timeout-ms before anything is sent, so a typo costs nothing. */
export function waitOptionsOf(ctx: CommandContext) {
  return {
    status: parseStatus(str(ctx.values, "wait"), "--wait"),
    timeoutMs: parseMs(str(ctx.values, "timeout-ms"), "--timeout-ms", 120_000),
  };
}

/**
 * The result of a sent transaction, after waiting for `wait.status` if asked
 * (progress lines show each rung as it is reached, with the time since send).
 */
export async function transactionOutput(
  ctx: CommandContext,
  client: BitlayerClient,
  title: string,
  result: TransactionResult,
  wait: ReturnType<typeof waitOptionsOf>,
  extra: { json?: Record<string, unknown>; rows?: [string, string][] } = {},
): Promise<Output> {
  const t0 = performance.now();
  const reached: Record<string, number> = { soft: 0 };
  let receipt = result.receipt;
  if (wait.status && wait.status !== "soft") {
    ctx.progress(`${title}: soft (receipt signed), waiting for ${wait.status}…`);
    receipt = await client.waitForStatus({
      hash: result.hash,
      status: wait.status,
      timeoutMs: wait.timeoutMs,
      onStatus: (status) => {
        if (status === "soft" || reached[status] !== undefined) return;
        reached[status] = Math.round(performance.now() - t0);
        ctx.progress(`  ${status} after ${(reached[status] / 1000).toFixed(1)} s`);
      },
    });
  }
  const r = receipt.receipt;
  const json = {
    hash: result.hash,
    duplicate: result.duplicate,
    finality: receipt.finality,
    receipt: { ...r, statusName: txStatusName(r.status) },
    signature: receipt.signature,
    ...(wait.status ? { waitedMs: reached } : {}),
    ...extra.json,
  };
  const rows: [string, string][] = [
    ...(extra.rows ?? []),
    ["tx hash", result.hash],
    [
      "receipt",
      `lane ${r.lane} height ${r.height} index ${r.index}, ${txStatusName(r.status)}, signed by the sequencer (checked)${result.duplicate ? ", already on the lane (duplicate)" : ""}`,
    ],
    ["finality", receipt.finality],
  ];
  return { json, text: `${title}\n${table(rows)}` };
}
