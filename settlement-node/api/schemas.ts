/**
 * The API's shapes as zod schemas: requests are parsed with them, responses
 * are typed by them, and openapi.ts generates /v1/openapi.json from them.
 * JSON conventions: amounts and heights are decimal strings (bigint-safe),
 * hashes and keys "0x" lowercase hex, account addresses "bl…" text.
 */
import { z } from "zod";
import { TX_WAIT_MS_MAX } from "./recent-txs.ts";

const u64Max = (1n << 64n) - 1n;

export const decimalString = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/)
  .describe("decimal integer as a string");
export const hexString = z
  .string()
  .regex(/^0x([0-9a-f]{2})*$/)
  .describe("0x-prefixed lowercase hex");
export const addressString = z
  .string()
  .regex(/^bl[0-9a-f]{40}$/)
  .describe("account address (bl + 40 hex)");
export const finalityStatus = z.enum(["checkpointed", "settled", "final"]);

const u64Text = (what: string) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,19})$/, `${what} must be a decimal integer without leading zeros`)
    .transform((s) => BigInt(s))
    .refine((v) => v <= u64Max, `${what} must be at most 2^64-1`);

/** Path and query parameters. */
export const heightParam = u64Text("height");
export const laneIdParam = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, "lane id must be a positive decimal integer")
  .transform(Number)
  .refine((n) => n <= 0xffff_ffff, "lane id must be at most 2^32-1");
export const indexParam = u64Text("index");
export const withdrawalIdParam = z
  .string()
  .regex(/^[1-9][0-9]{0,9}-(0|[1-9][0-9]{0,19})$/, 'withdrawal id must be "<lane>-<id>", e.g. "1-0"')
  .transform((s) => {
    const [lane, id] = s.split("-");
    return { lane: Number(lane), id: BigInt(id!) };
  })
  .refine((w) => w.lane <= 0xffff_ffff && w.id <= u64Max, "withdrawal id is out of range");
export const txHashParam = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "transaction hash must be 0x and 64 hex digits")
  .describe("settlement transaction hash, as POST /v1/txs answered it");
export const txWaitQuery = z.strictObject({
  waitMs: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,5})$/, "waitMs must be a decimal integer of milliseconds")
    .transform(Number)
    .refine((n) => n <= TX_WAIT_MS_MAX, `waitMs must be at most ${TX_WAIT_MS_MAX}`)
    .optional()
    .describe(
      `hold the request until the transaction commits, at most this long (0..${TX_WAIT_MS_MAX}; default 0)`,
    ),
});
export const pageQuery = z.strictObject({
  from: u64Text("from").optional(),
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, "limit must be an integer from 1 to 200")
    .transform(Number)
    .refine((n) => n <= 200, "limit must be at most 200")
    .optional(),
});

export const submitTxBody = z.strictObject({
  tx: z
    .string()
    .min(1)
    .describe('the signed transaction\'s canonical bytes: "0x"-hex or standard padded base64'),
});

/** Responses. */
export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
  }),
});

export const submitTxResponse = z.object({ hash: hexString, accepted: z.literal(true) });

export const statusResponse = z.object({
  chainId: z.string(),
  height: decimalString,
  lastBlockHash: hexString,
  address: addressString,
  catchingUp: z.boolean(),
  peers: z.number().int(),
});

export const txResponse = z.discriminatedUnion("state", [
  z.object({
    hash: hexString,
    state: z.literal("committed"),
    height: decimalString,
    blockHash: hexString,
    index: z.number().int().describe("position in the block"),
    status: z.number().int().describe("ledger status code, 0 = applied"),
    statusName: z.string(),
    feePaid: decimalString,
  }),
  z.object({
    hash: hexString,
    state: z.literal("pending").describe("in this validator's mempool, not in a block yet"),
  }),
]);

export const receiptJson = z.object({
  index: z.number().int(),
  hash: hexString,
  status: z.number().int().describe("ledger status code, 0 = applied"),
  statusName: z.string(),
  feePaid: decimalString,
});

/** A commit certificate: precommits of more than 2/3 of the power for valueId (the block hash) at (height, round). */
export const certificateJson = z.object({
  height: decimalString,
  round: z.number().int(),
  valueId: hexString,
  precommits: z.array(
    z.object({
      validatorIndex: z.number().int(),
      signature: hexString,
      extension: hexString.optional().describe("vote extension signed with the precommit; absent when empty"),
    }),
  ),
});

export const blockResponse = z.object({
  height: decimalString,
  hash: hexString.describe(
    "the block's hash, valueIdOf(encoded): the value id the certificate's precommits name",
  ),
  encoded: hexString.describe(
    "0x-hex of the block's canonical bytes (settlement-node/node/block.ts): height, timeMs, proposer, appHashPrev, lastCommit and txs; a light client decodes it and recomputes hash and the fields here",
  ),
  lastBlockHash: hexString.describe(
    "hash of block height − 1 (the valueId of encoded's lastCommit); 32 zero bytes at height 1",
  ),
  timeMs: decimalString,
  proposer: hexString.describe("the proposer's public key (0x-hex)"),
  appHash: hexString.describe(
    "the ledger state root after this block; encoded carries the root before it (appHashPrev), so this root is proven only by block height + 1",
  ),
  txs: z.array(z.object({ hash: hexString, bytes: hexString })),
  receipts: z.array(receiptJson).nullable(),
  certificate: certificateJson,
});

export const accountResponse = z.object({
  address: addressString,
  balance: decimalString,
  nonce: decimalString,
});

export const validatorJson = z.object({
  address: addressString,
  publicKey: hexString,
  stake: decimalString,
  power: decimalString.describe("voting power in the current set; 0 when not in it"),
  status: z.enum(["active", "jailed", "unbonding", "tombstoned"]),
  jailedUntilHeight: decimalString,
  maintenance: z.object({ fromHeight: decimalString, toHeight: decimalString }).nullable(),
  rewardsTotal: decimalString,
  slashedTotal: decimalString,
});
export const validatorsResponse = z.object({ height: decimalString, validators: z.array(validatorJson) });

export const laneJson = z.object({
  id: z.number().int(),
  owner: addressString,
  sequencer: hexString,
  bond: decimalString,
  escrow: decimalString,
  challengeWindowBlocks: decimalString,
  genesisRoot: hexString,
  lastRoot: hexString,
  checkpointCount: decimalString,
  depositCount: decimalString,
  withdrawalCount: decimalString,
  stfVersion: z.number().int(),
  genesisEscrow: decimalString.describe("escrow the opener put up for the lane's genesis supply"),
  depositedTotal: decimalString.describe(
    "sum of deposits; escrow = genesisEscrow + depositedTotal − paidTotal",
  ),
  paidTotal: decimalString,
  depositsConsumed: decimalString.describe("deposits the lane's checkpoints have consumed, in order"),
  forcedInclusionBlocks: decimalString.describe(
    "blocks within which a forced transaction must be checkpointed",
  ),
  forcedCount: decimalString,
  forcedConsumed: decimalString.describe("forced transactions covered by the lane's checkpoints"),
  status: z.enum(["active", "frozen"]).describe("frozen: a forced transaction missed its deadline"),
  frozenHeight: decimalString.nullable(),
});
export const lanesResponse = z.object({ lanes: z.array(laneJson), next: decimalString.nullable() });

export const finalityJson = z.object({
  status: finalityStatus,
  next: z
    .object({
      status: finalityStatus,
      height: decimalString.describe("settlement height at which the next status is reached"),
      blocksRemaining: decimalString,
      estimatedTimeMs: decimalString.describe("estimate from recent block times, ms since the Unix epoch"),
    })
    .nullable()
    .describe("null when final"),
});

export const checkpointJson = z.object({
  lane: z.number().int(),
  index: decimalString,
  prevRoot: hexString,
  newRoot: hexString,
  withdrawalCount: decimalString,
  depositCursor: decimalString,
  forcedCursor: decimalString,
  batchHash: hexString,
  stfVersion: z.number().int(),
  postedHeight: decimalString,
  finalHeight: decimalString,
  finality: finalityJson,
});
export const checkpointsResponse = z.object({
  checkpoints: z.array(checkpointJson),
  next: decimalString.nullable(),
});

export const batchDataResponse = z.object({
  lane: z.number().int(),
  index: decimalString,
  batchHash: hexString.describe("the checkpoint's batch hash (batchHashOf of batchData)"),
  batchData: hexString.describe(
    "the checkpoint's batch data: its lane blocks in canonical bytes (shared/lane batchDataCodec), what a watcher replays",
  ),
});

export const checkpointProofResponse = z.object({
  lane: z.number().int(),
  index: decimalString,
  height: decimalString.describe(
    "H: the proof is of the ledger state after block H, the newest state with a certified next block",
  ),
  block: hexString.describe(
    "block H + 1 in canonical bytes (settlement-node/node/block.ts): its hash (valueIdOf) is the certificate's valueId, its appHashPrev the state root after H",
  ),
  certificate: certificateJson.describe("H + 1's commit certificate"),
  key: hexString.describe("the checkpoint record's ledger key (ledgerKeys.checkpoint)"),
  value: hexString.describe("the checkpoint record's canonical bytes (checkpointCodec)"),
  proof: hexString.describe(
    "shared/smt encodeSmtProof inclusion proof of key → value under block H + 1's appHashPrev",
  ),
});

export const depositJson = z.object({
  id: decimalString,
  lane: z.number().int(),
  laneDepositId: hexString,
  sender: addressString,
  recipient: hexString,
  amount: decimalString,
  height: decimalString,
});
export const depositsResponse = z.object({ deposits: z.array(depositJson), next: decimalString.nullable() });

export const forcedTxJson = z.object({
  id: decimalString,
  lane: z.number().int(),
  sender: addressString,
  tx: hexString.describe("the signed lane transaction's canonical bytes"),
  txHash: hexString.describe("the lane transaction hash (shared/stf txHash)"),
  height: decimalString,
  deadlineHeight: decimalString.describe("last settlement height at which a checkpoint may cover it"),
  included: z.boolean().describe("covered by an accepted checkpoint"),
});
export const forcedTxsResponse = z.object({ forced: z.array(forcedTxJson), next: decimalString.nullable() });

export const withdrawalResponse = z.object({
  id: z.string(),
  lane: z.number().int(),
  withdrawalId: decimalString,
  status: z.literal("paid"),
  checkpointIndex: decimalString,
  height: decimalString,
  amount: decimalString,
});
