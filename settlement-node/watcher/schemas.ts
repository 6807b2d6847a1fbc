/**
 * The watcher API's shapes (api.ts), in the settlement API's JSON
 * conventions (settlement-node/api/schemas.ts): counts, heights and indexes
 * as decimal strings, roots as 0x-hex.
 */
import { z } from "zod";
import { decimalString, hexString } from "../api/schemas.ts";

export const mismatchJson = z.object({
  index: decimalString,
  height: decimalString.describe("the batch's last block: the height whose claimed root differs"),
  claimedRoot: hexString,
  computedRoot: hexString,
  detectedAt: z.string().describe("ISO 8601"),
});

export const invalidJson = z.object({
  index: decimalString,
  reason: z.enum([
    "out_of_order",
    "prev_root",
    "batch_hash",
    "stf_version",
    "batch_malformed",
    "block",
    "tx_signature",
    "withdrawal_count",
  ]),
  message: z.string(),
  height: decimalString.nullable(),
  txIndex: z.number().int().nullable(),
  detectedAt: z.string(),
});

export const laneWatchJson = z.object({
  lane: z.number().int(),
  status: z.enum(["waiting", "watching", "halted"]),
  genesisRoot: hexString,
  checkpointsVerified: decimalString,
  lastVerified: z.object({ index: decimalString, root: hexString, height: decimalString }).nullable(),
  settlementCheckpoints: decimalString.nullable(),
  lag: decimalString.nullable().describe("checkpoints on settlement not verified yet"),
  mismatches: z.array(mismatchJson),
  invalid: z.array(invalidJson),
  halt: z
    .object({ reason: z.enum(["mismatch", "invalid", "genesis_mismatch"]), message: z.string() })
    .nullable(),
  lastError: z.string().nullable(),
  lastPollAt: z.string().nullable(),
});

export const watcherStatusJson = z.object({
  settlementUrl: z.string().describe("the validator the watcher reads from now"),
  lanes: z.array(laneWatchJson),
});

/** GET /v1/status takes no query parameters. */
export const statusQuery = z.strictObject({});
