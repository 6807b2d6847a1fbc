/**
 * The watcher's HTTP API (@hono/node-server in cli.ts):
 *
 *   GET /v1/status     every watched lane: checkpoints verified, the last
 *                      verified index and root, mismatches (fraud found),
 *                      invalid checkpoints and the lag behind settlement
 *   GET /v1/lanes/:id  one lane's entry of /v1/status
 *   GET /v1/openapi.json  the OpenAPI document of these routes (WATCHER_ROUTES)
 *   GET /metrics       Prometheus text
 *
 * Bad input gets `{ error: { code, message, field } }` with a 4xx, as the
 * settlement API answers (its typed ApiErrors are reused).
 */
import { Hono } from "hono";
import type { z } from "zod";
import { toHex } from "../../shared/bytes.ts";
import { BadRequestError, NotFoundError, renderErrors } from "../api/errors.ts";
import { openApiDocument, type RouteDoc } from "../api/openapi.ts";
import { laneIdParam } from "../api/schemas.ts";
import { createWatcherMetrics } from "./metrics.ts";
import { laneWatchJson, statusQuery, watcherStatusJson } from "./schemas.ts";
import type { LaneWatch, Watcher } from "./watcher.ts";

const hex = (b: Uint8Array): string => `0x${toHex(b)}`;
const iso = (ms: number): string => new Date(ms).toISOString();

export function laneWatchView(l: LaneWatch): z.infer<typeof laneWatchJson> {
  return {
    lane: l.lane,
    status: l.status,
    genesisRoot: hex(l.genesisRoot),
    checkpointsVerified: String(l.verified),
    lastVerified: l.lastVerified && {
      index: String(l.lastVerified.index),
      root: hex(l.lastVerified.root),
      height: String(l.lastVerified.height),
    },
    settlementCheckpoints: l.settlementCheckpoints === null ? null : String(l.settlementCheckpoints),
    lag: l.settlementCheckpoints === null ? null : String(l.settlementCheckpoints - l.verified),
    mismatches: l.mismatches.map((m) => ({
      index: String(m.index),
      height: String(m.height),
      claimedRoot: hex(m.claimedRoot),
      computedRoot: hex(m.computedRoot),
      detectedAt: iso(m.detectedAtMs),
    })),
    invalid: l.invalid.map((i) => ({
      index: String(i.index),
      reason: i.reason,
      message: i.message,
      height: i.height === undefined ? null : String(i.height),
      txIndex: i.txIndex ?? null,
      detectedAt: iso(i.detectedAtMs),
    })),
    halt: l.halt,
    lastError: l.lastError,
    lastPollAt: l.lastPollAtMs === null ? null : iso(l.lastPollAtMs),
  };
}

/** Parses `value` with `schema`, or throws a 400 naming `field` (plus the issue's path). */
function parse<T extends z.ZodType>(schema: T, value: unknown, field: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
  const path = [field, ...issue.path.map(String), ...keys].filter((p) => p !== "").join(".");
  throw new BadRequestError("invalid_field", `${path}: ${issue.message}`, path);
}

/** The watcher's routes, documented as the validator's are (a test checks the app serves exactly these). */
export const WATCHER_ROUTES: readonly RouteDoc[] = [
  {
    method: "get",
    path: "/v1/status",
    summary:
      "Every watched lane: verified checkpoints, lag behind settlement, frauds and invalid checkpoints found",
    query: statusQuery,
    success: [200, watcherStatusJson],
    errors: [400],
  },
  {
    method: "get",
    path: "/v1/lanes/{id}",
    summary: "One watched lane",
    params: { id: laneIdParam },
    success: [200, laneWatchJson],
    errors: [400, 404],
  },
  { method: "get", path: "/v1/openapi.json", summary: "This document", success: [200, null], errors: [] },
  {
    method: "get",
    path: "/metrics",
    summary: "Prometheus metrics (text exposition format)",
    success: [200, null],
    errors: [],
  },
];

export const watcherOpenApiDocument = () =>
  openApiDocument({ title: "Bitlayer watcher API", routes: WATCHER_ROUTES });

export function createWatcherApi(watcher: Watcher): Hono {
  const registry = createWatcherMetrics(watcher);
  const app = new Hono();
  app.get("/v1/status", (c) => {
    parse(statusQuery, c.req.query(), "query");
    const body: z.infer<typeof watcherStatusJson> = {
      settlementUrl: watcher.client.currentUrl,
      lanes: watcher.lanes().map(laneWatchView),
    };
    return c.json(body);
  });
  app.get("/v1/lanes/:id", (c) => {
    const id = parse(laneIdParam, c.req.param("id"), "id");
    const lane = watcher.lanes().find((l) => l.lane === id);
    if (!lane) throw new NotFoundError("lane_not_watched", `This watcher does not watch lane ${id}.`, "id");
    return c.json(laneWatchView(lane));
  });
  app.get("/metrics", async (c) =>
    c.body(await registry.metrics(), 200, { "content-type": registry.contentType }),
  );
  const document = watcherOpenApiDocument();
  app.get("/v1/openapi.json", (c) => c.json(document));
  renderErrors(app, "the watcher's log");
  return app;
}
