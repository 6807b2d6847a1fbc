/**
 * The edge API's input schemas (zod). The routes validate with them and the
 * OpenAPI document (openapi.ts) is generated from them, so the two cannot
 * drift apart.
 */
import { z } from "zod";
import { TX_BYTES_MAX } from "../../shared/stf/limits.ts";
import { TXS_PER_REQUEST_MAX } from "./limits.ts";

/** A lane id in a path: 1..LANES_MAX (the upper bound is a var, checked by the lane middleware). */
export const laneParam = z.string().regex(/^[1-9][0-9]{0,9}$/, "must be a positive decimal integer");

/** 32 bytes as 64 hex digits, optionally 0x-prefixed, any case. */
export const hex32 = z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, "must be 32 bytes of hex (64 digits)");

/** A decimal integer in a query string (no sign, exponent or hex: "1e2" and "0x10" are refused). */
export const decimalQuery = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,15}$/, "must be a decimal integer")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** ?from (first height or checkpoint number, 1-based) & ?limit. */
export const pageQuery = z
  .object({
    from: decimalQuery(1, Number.MAX_SAFE_INTEGER).optional(),
    limit: decimalQuery(1, 100).optional(),
  })
  .strict();

/** ?from (first checkpoint, 1-based) & ?limit: a checkpoint carries up to 128 KiB, so pages are smaller. */
export const checkpointQuery = z
  .object({
    from: decimalQuery(1, Number.MAX_SAFE_INTEGER).optional(),
    limit: decimalQuery(1, 20).optional(),
  })
  .strict();

const txText = z
  .string()
  .min(1)
  .max(TX_BYTES_MAX * 2 + 2);

/** POST /v1/lanes/:lane/txs: exactly one of tx and txs. */
export const submitBody = z
  .object({
    tx: txText.optional(),
    txs: z.array(txText).min(1).max(TXS_PER_REQUEST_MAX).optional(),
    encoding: z.enum(["hex", "base64"]).optional(),
  })
  .strict()
  .refine((b) => (b.tx === undefined) !== (b.txs === undefined), {
    message: "give exactly one of tx and txs",
    path: ["tx"],
  });

/** The Upgrade header of the receipt feed. */
export const websocketUpgrade = z.literal("websocket");

export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
  }),
});
