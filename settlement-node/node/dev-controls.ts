/**
 * Settlement time controls for tests (issue #7 item 2), served by a
 * validator only when it runs with BITLAYER_DEV=1 (the devnet sets it):
 *
 *   POST /v1/dev/fast-forward { "blocks": 20 }  →  { height, targetHeight }
 *
 * Until this node's height reaches `targetHeight` it starts each next height
 * as soon as the previous one commits, instead of waiting out the block
 * interval (the pace of empty blocks), so a challenge window of N blocks
 * passes in about N consensus round trips. Consensus itself is untouched:
 * every block is proposed, voted and committed as usual. Send it to every
 * validator (the SDK's mineSettlementBlocks does): a validator still waiting
 * out its interval joins the next height when the others' proposal arrives.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { SettlementNode } from "./node.ts";

/** More than any challenge window a test needs; bounds a typo's effect. */
export const FAST_FORWARD_BLOCKS_MAX = 100_000;

const body = z
  .object({
    blocks: z.number().int().min(1).max(FAST_FORWARD_BLOCKS_MAX).optional(),
    toHeight: z
      .string()
      .regex(/^[0-9]{1,15}$/)
      .optional(),
  })
  .strict()
  .refine((b) => (b.blocks === undefined) !== (b.toHeight === undefined), {
    message: "give exactly one of blocks and toHeight",
    path: ["blocks"],
  });

/** Per node: the configured interval while a fast-forward runs, and its target. */
const active = new WeakMap<SettlementNode, { intervalMs: number; targetHeight: bigint }>();

/**
 * Makes `node` skip the block interval until its height reaches
 * `targetHeight`, then restores the configured interval. The interval is
 * read from the node's config at each commit (node.ts finalize), which is
 * the whole hook: nothing in consensus changes.
 */
export function fastForward(node: SettlementNode, targetHeight: bigint): void {
  const consensus = node.loaded.config.consensus;
  const running = active.get(node);
  if (running) {
    if (targetHeight > running.targetHeight) running.targetHeight = targetHeight;
    return;
  }
  if (node.height >= targetHeight) return;
  active.set(node, { intervalMs: consensus.blockIntervalMs, targetHeight });
  consensus.blockIntervalMs = 0;
}

/** Installs the commit listener that ends fast-forwards; once per node. */
function watch(node: SettlementNode): void {
  node.onCommit((committed) => {
    const running = active.get(node);
    if (!running || committed.height < running.targetHeight) return;
    node.loaded.config.consensus.blockIntervalMs = running.intervalMs;
    active.delete(node);
  });
}

/** The dev routes of one validator (mounted at /v1/dev by node/http.ts when BITLAYER_DEV=1). */
export function settlementDevControls(node: SettlementNode): Hono {
  watch(node);
  const app = new Hono();
  app.post("/fast-forward", async (c) => {
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return c.json(
        { error: { code: "invalid_json", message: "Request body is not valid JSON.", field: "body" } },
        400,
      );
    }
    const parsed = body.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? issue.path.join(".") : "body";
      return c.json(
        {
          error: {
            code: "invalid_field",
            message: `Expected { blocks } or { toHeight }: ${issue.message}.`,
            field,
          },
        },
        400,
      );
    }
    const target =
      parsed.data.toHeight !== undefined
        ? BigInt(parsed.data.toHeight)
        : node.height + BigInt(parsed.data.blocks!);
    fastForward(node, target);
    return c.json({
      height: String(node.height),
      targetHeight: String(active.get(node)?.targetHeight ?? target),
    });
  });
  return app;
}
