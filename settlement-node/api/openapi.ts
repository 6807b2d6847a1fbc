/**
 * The OpenAPI 3.1 document of the settlement API, generated from the zod
 * schemas in schemas.ts with zod 4's z.toJSONSchema. API_ROUTES is the one
 * list of routes: a test checks that the Hono app serves exactly these.
 */
import { z } from "zod";
import * as s from "./schemas.ts";

export type RouteDoc = {
  method: "get" | "post";
  /** OpenAPI path syntax ({param}). */
  path: string;
  summary: string;
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success status and schema; null for a non-JSON response. */
  success: [number, z.ZodType | null];
  errors: number[];
};

const lane = { id: s.laneIdParam };
const page = s.pageQuery;

export const API_ROUTES: readonly RouteDoc[] = [
  {
    method: "post",
    path: "/v1/txs",
    summary:
      "Submit a signed settlement transaction: JSON { tx } (0x-hex or base64) or the raw bytes as application/octet-stream.",
    body: s.submitTxBody,
    success: [202, s.submitTxResponse],
    errors: [400, 409, 413, 415, 422, 429, 503],
  },
  {
    method: "get",
    path: "/v1/txs/{hash}",
    summary:
      "Where a transaction landed: its block, position and ledger verdict. With waitMs the request is held until the block that includes it commits (answered at once then, no polling); after the wait, a transaction still in this validator's mempool is `pending`.",
    params: { hash: s.txHashParam },
    query: s.txWaitQuery,
    success: [200, s.txResponse],
    errors: [400, 404, 429, 503],
  },
  {
    method: "get",
    path: "/v1/status",
    summary: "Node status",
    success: [200, s.statusResponse],
    errors: [429],
  },
  {
    method: "get",
    path: "/v1/blocks/latest",
    summary: "The last committed block with its commit certificate",
    success: [200, s.blockResponse],
    errors: [404, 429],
  },
  {
    method: "get",
    path: "/v1/blocks/{height}",
    summary: "A committed block with its commit certificate",
    params: { height: s.heightParam },
    success: [200, s.blockResponse],
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/accounts/{address}",
    summary: "Balance and nonce of an account",
    params: { address: s.addressString },
    success: [200, s.accountResponse],
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/validators",
    summary: "Every validator holding stake, with its power in the current set",
    success: [200, s.validatorsResponse],
    errors: [429],
  },
  {
    method: "get",
    path: "/v1/lanes",
    summary: "Lanes, by id from `from` (default 1)",
    query: page,
    success: [200, s.lanesResponse],
    errors: [400, 429],
  },
  {
    method: "get",
    path: "/v1/lanes/{id}",
    summary: "One lane",
    params: lane,
    success: [200, s.laneJson],
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/lanes/{id}/checkpoints",
    summary: "A lane's checkpoints by index from `from` (default 0), each with its finality status",
    params: lane,
    query: page,
    success: [200, s.checkpointsResponse],
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/lanes/{id}/checkpoints/{index}",
    summary: "One checkpoint with its status on the finality ladder and when the next step is expected",
    params: { ...lane, index: s.indexParam },
    success: [200, s.checkpointJson],
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/lanes/{id}/checkpoints/{index}/batch",
    summary:
      "A checkpoint's batch data (data availability): the lane blocks it covers, for watchers to replay",
    params: { ...lane, index: s.indexParam },
    success: [200, s.batchDataResponse],
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/lanes/{id}/checkpoints/{index}/proof",
    summary:
      "A checkpoint record proven for light clients: block H + 1's bytes and commit certificate, and an SMT inclusion proof of the record under its appHashPrev (the state after H); verify with shared/sdk verifyCheckpointProof",
    params: { ...lane, index: s.indexParam },
    success: [200, s.checkpointProofResponse],
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/lanes/{id}/deposits",
    summary: "A lane's deposits by id from `from` (default 0)",
    params: lane,
    query: page,
    success: [200, s.depositsResponse],
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/lanes/{id}/forced",
    summary: "A lane's forced transactions (forceLaneTx) by id from `from` (default 0), with deadlines",
    params: lane,
    query: page,
    success: [200, s.forcedTxsResponse],
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/withdrawals/{id}",
    summary: 'A paid lane withdrawal, id "<lane>-<withdrawal id>"',
    params: { id: s.withdrawalIdParam },
    success: [200, s.withdrawalResponse],
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/openapi.json",
    summary: "This document",
    success: [200, null],
    errors: [],
  },
  {
    method: "get",
    path: "/metrics",
    summary: "Prometheus metrics (text exposition format)",
    success: [200, null],
    errors: [],
  },
];

const schemaOf = (t: z.ZodType) => z.toJSONSchema(t, { io: "input", unrepresentable: "any" });

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  202: "Accepted into the mempool",
  400: "Malformed input; `error.field` names it",
  404: "Not found",
  409: "Conflicts with a pending or committed transaction (replayed nonce, duplicate)",
  413: "Body too large",
  415: "Unsupported content type",
  422: "Well-formed but refused (signature, nonce, fee)",
  429: "Rate limited; see Retry-After",
  503: "Mempool full",
};

/** The document of `routes` (the validator's API_ROUTES by default; the watcher passes its own). */
export function openApiDocument(o: { title?: string; version?: string; routes?: readonly RouteDoc[] } = {}) {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = schemaOf(s.errorResponse);
  for (const r of o.routes ?? API_ROUTES) {
    const parameters = [
      ...Object.entries(r.params ?? {}).map(([name, schema]) => ({
        name,
        in: "path",
        required: true,
        schema: schemaOf(schema),
      })),
      ...Object.entries(r.query?.shape ?? {}).map(([name, schema]) => ({
        name,
        in: "query",
        required: false,
        schema: schemaOf((schema as z.ZodOptional<z.ZodType>).unwrap()),
      })),
    ];
    const [status, schema] = r.success;
    const responses: Record<string, unknown> = {
      [status]: {
        description: STATUS_TEXT[status] ?? "OK",
        ...(schema ? { content: { "application/json": { schema: schemaOf(schema) } } } : {}),
      },
    };
    for (const e of r.errors)
      responses[e] = { description: STATUS_TEXT[e], content: { "application/json": { schema: error } } };
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      summary: r.summary,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: {
                "application/json": { schema: schemaOf(r.body) },
                "application/octet-stream": { schema: { type: "string", format: "binary" } },
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: o.title ?? "Bitlayer settlement node API", version: o.version ?? "1" },
    paths,
  };
}
