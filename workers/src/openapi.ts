/**
 * GET /v1/openapi.json: the OpenAPI 3.1 document of the edge API, generated
 * from EDGE_ROUTES, whose parameter and body schemas are the zod schemas the
 * routes validate with (schemas.ts). EDGE_ROUTES is the one list of routes:
 * test/workerd/worker-bad-input.test.ts checks that the Hono app serves
 * exactly these and sends bad input to every parameter and body they name.
 * docs/api-edge.md has the prose; docs/api/edge.md is generated from this.
 */
import { z } from "zod";
import { REQUEST_BODY_BYTES_MAX } from "./limits.ts";
import { advanceBody } from "./routes/dev-controls.ts";
import * as s from "./schemas.ts";

export type EdgeRoute = {
  method: "get" | "post";
  /** OpenAPI path syntax ({param}). */
  path: string;
  summary: string;
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  headers?: Record<string, z.ZodType>;
  body?: z.ZodType;
  /** Error statuses besides 429 (every /v1 route is rate limited). */
  errors: number[];
  /** Served only when the Worker runs with BITLAYER_DEV = "1" (404 otherwise). */
  dev?: boolean;
};

const lane = { lane: s.laneParam };
const devLaneQuery = z.object({ lane: s.decimalQuery(1, 4_294_967_295) }).strict();

export const EDGE_ROUTES: readonly EdgeRoute[] = [
  { method: "get", path: "/v1/health", summary: "Liveness of the Worker", errors: [] },
  { method: "get", path: "/v1/openapi.json", summary: "This document", errors: [] },
  {
    method: "post",
    path: "/v1/lanes/{lane}/txs",
    summary:
      "Submit one signed transaction ({tx}) or a batch ({txs}, ≤ 256), canonical bytes as hex (default) or base64",
    params: lane,
    body: s.submitBody,
    errors: [400, 413, 422, 503],
  },
  {
    method: "get",
    path: "/v1/lanes/{lane}/receipts/{hash}",
    summary: "Signed receipt and finality by transaction hash",
    params: { ...lane, hash: s.hex32 },
    errors: [400, 404],
  },
  {
    method: "get",
    path: "/v1/lanes/{lane}/idempotency/{sender}/{key}",
    summary: "Signed receipt by sender public key and idempotency key",
    params: { ...lane, sender: s.hex32, key: s.hex32 },
    errors: [400, 404],
  },
  {
    method: "get",
    path: "/v1/lanes/{lane}/accounts/{address}",
    summary: "Nonce and native balance with a multiproof against the state root (zeros: proof of absence)",
    params: { ...lane, address: s.hex32 },
    errors: [400],
  },
  {
    method: "get",
    path: "/v1/lanes/{lane}/accounts/{address}/tokens/{token}",
    summary: "Token record and balance with a multiproof",
    params: { ...lane, address: s.hex32, token: s.hex32 },
    errors: [400],
  },
  {
    method: "get",
    path: "/v1/lanes/{lane}/items/{item}",
    summary: "Item record with a proof (null: proof of absence)",
    params: { ...lane, item: s.hex32 },
    errors: [400],
  },
  {
    method: "get",
    path: "/v1/lanes/{lane}/blocks",
    summary: "Sealed blocks with their canonical bytes, from height ?from (default 1), ?limit ≤ 100",
    params: lane,
    query: s.pageQuery,
    errors: [400],
  },
  {
    method: "get",
    path: "/v1/lanes/{lane}/checkpoints",
    summary:
      "Built checkpoints with their postCheckpoint payloads, from the ?from-th (default 1), ?limit ≤ 20",
    params: lane,
    query: s.checkpointQuery,
    errors: [400],
  },
  {
    method: "get",
    path: "/v1/lanes/{lane}/status",
    summary:
      "Head, sequencer key, base fee, pending blocks, and whether settled/final are verified from settlement's certificates (settlementVerification)",
    params: lane,
    errors: [400],
  },
  {
    method: "get",
    path: "/v1/lanes/{lane}/feed",
    summary: "WebSocket feed of the lane's receipts (docs/api-edge.md, Receipt feed)",
    params: lane,
    headers: { Upgrade: s.websocketUpgrade },
    errors: [400],
  },
  {
    method: "get",
    path: "/v1/lanes/{lane}/withdrawals/{id}/proof",
    summary:
      "A withdrawal's leaf and inclusion proof against its checkpoint's root, with the checkpoint's finality",
    params: { ...lane, id: z.string().regex(/^(0|[1-9][0-9]{0,19})$/, "must be a decimal u64") },
    errors: [400, 404],
  },
  {
    method: "post",
    path: "/v1/dev/lanes/{lane}/advance-time",
    summary: "Move the lane's clock ahead by { ms }, then run its alarm (BITLAYER_DEV only)",
    params: lane,
    body: advanceBody,
    errors: [400, 404],
    dev: true,
  },
  ...(["alarm", "checkpoint", "seal"] as const).map(
    (action): EdgeRoute => ({
      method: "post",
      path: `/v1/dev/lanes/{lane}/${action}`,
      summary: {
        alarm: "Run the lane's alarm now: post and poll settlement (BITLAYER_DEV only)",
        checkpoint: "Checkpoint every pending block now and post it (BITLAYER_DEV only)",
        seal: "The lane's head; each step already seals its block (BITLAYER_DEV only)",
      }[action],
      params: lane,
      errors: [400, 404],
      dev: true,
    }),
  ),
  {
    method: "post",
    path: "/v1/dev/bench/verify",
    summary: "Bench baseline: n native Ed25519 verifies (BITLAYER_DEV only)",
    query: z.object({ n: s.decimalQuery(0, 100_000) }).strict(),
    errors: [400, 404],
    dev: true,
  },
  {
    method: "post",
    path: "/v1/dev/bench/ping",
    summary: "Bench baseline: one RPC to the lane's Sequencer that does nothing (BITLAYER_DEV only)",
    query: devLaneQuery,
    errors: [400, 404],
    dev: true,
  },
  {
    method: "post",
    path: "/v1/dev/bench/write",
    summary: "Bench baseline: one RPC to the lane's Sequencer doing one SQL write (BITLAYER_DEV only)",
    query: devLaneQuery,
    errors: [400, 404],
    dev: true,
  },
  {
    method: "post",
    path: "/v1/dev/bench/accounts",
    summary: "Bench setup: add `count` funded synthetic accounts from index `from` to an idle lane (BITLAYER_DEV only)",
    query: devLaneQuery.extend({ from: s.decimalQuery(0, 100_000_000), count: s.decimalQuery(1, 1_000_000) }),
    errors: [400, 404],
    dev: true,
  },
  {
    method: "get",
    path: "/v1/dev/bench/cache",
    summary: "Bench probe: the lane's node-cache occupancy, bound, hits and misses (BITLAYER_DEV only)",
    query: devLaneQuery,
    errors: [400, 404],
    dev: true,
  },
];

const schemaOf = (t: z.ZodType) => z.toJSONSchema(t, { io: "input", unrepresentable: "any" });

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  400: "Malformed input; `error.field` names it",
  404: "Not found (or a dev route while BITLAYER_DEV is not 1)",
  413: `Body over ${REQUEST_BODY_BYTES_MAX} bytes`,
  422: "A single transaction was refused by the lane (`error.reason`: signature, chain, lane, nonce, fee, …)",
  429: "Rate limited; see Retry-After",
  503: "Lane busy (back-pressure); see Retry-After",
};

function buildDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = schemaOf(s.errorResponse);
  for (const r of EDGE_ROUTES) {
    const parameters = [
      ...Object.entries(r.params ?? {}).map(([name, schema]) => ({
        name,
        in: "path",
        required: true,
        schema: schemaOf(schema),
      })),
      ...Object.entries(r.query?.shape ?? {}).map(([name, schema]) => {
        const optional = schema instanceof z.ZodOptional;
        return {
          name,
          in: "query",
          required: !optional,
          schema: schemaOf(optional ? (schema as z.ZodOptional<z.ZodType>).unwrap() : (schema as z.ZodType)),
        };
      }),
      ...Object.entries(r.headers ?? {}).map(([name, schema]) => ({
        name,
        in: "header",
        required: true,
        schema: schemaOf(schema),
      })),
    ];
    const responses: Record<string, unknown> = { 200: { description: STATUS_TEXT[200] } };
    for (const e of [...r.errors, 429])
      responses[e] = { description: STATUS_TEXT[e], content: { "application/json": { schema: error } } };
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      summary: r.summary,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(r.body) } } } }
        : {}),
      responses,
      ...(r.dev ? { "x-dev-only": true } : {}),
    };
  }
  return { openapi: "3.1.0", info: { title: "Bitlayer edge API", version: "1" }, paths };
}

export const openApiDocument = buildDocument();
