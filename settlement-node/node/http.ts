/** The validator's HTTP server: the settlement API and this node's counters. */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createSettlementApi, type SettlementApiOptions } from "../api/app.ts";
import type { SettlementBackend } from "../api/backend.ts";
import { BadRequestError, renderErrors } from "../api/errors.ts";
import { hex } from "../api/views.ts";
import { createIndexApi } from "../indexer/api.ts";
import type { DatabaseIndexer } from "./db-index.ts";
import { settlementDevControls } from "./dev-controls.ts";
import type { SettlementNode } from "./node.ts";
import { PHASE_HEIGHTS_KEPT } from "./phases.ts";

export type NodeCounters = {
  moniker: string;
  publicKey: string;
  height: string;
  round: number;
  appHash: string;
  mempoolSize: number;
  peers: string[];
  conflictingVotesSeen: number;
  evidenceSeen: number;
  roundChanges: number;
  framesDropped: number;
  /** The last height in the database's derived tables; null without a database. */
  heightIndexed: string | null;
};

export function nodeCounters(node: SettlementNode, indexer?: DatabaseIndexer | null): NodeCounters {
  return {
    moniker: node.loaded.config.moniker,
    publicKey: hex(node.publicKey),
    height: String(node.height),
    round: node.consensusRound,
    appHash: hex(node.chain.appHash),
    mempoolSize: node.mempool.size,
    peers: node.network.peersReady().map((p) => p.slice(0, 16)),
    conflictingVotesSeen: node.audit.countConflicts,
    evidenceSeen: node.countEvidence,
    roundChanges: node.countRounds,
    framesDropped: node.network.countFramesDropped,
    heightIndexed: indexer ? String(indexer.heightIndexed) : null,
  };
}

/**
 * Everything a validator serves: the settlement API (createSettlementApi over
 * this node), `GET /v1/node` with its consensus and vote-audit counters, and,
 * with a database, the indexed views under /v1/index (indexer/api.ts).
 */
export function nodeApi(
  node: SettlementNode,
  backend: SettlementBackend,
  options: SettlementApiOptions & { indexer?: DatabaseIndexer | null },
): Hono {
  const { indexer, ...apiOptions } = options;
  const app = new Hono();
  app.get("/v1/node", (c) => c.json(nodeCounters(node, indexer)));
  // Where the time of recent heights went (node/phases.ts): ?txsMin=N&from=H&to=H picks the heights
  // summarized, ?recent=N how many of the latest heights are listed (at most PHASE_HEIGHTS_KEPT).
  app.get("/v1/node/phases", (c) => {
    const int = (name: string, fallback: bigint, max = (1n << 63n) - 1n) => {
      const v = c.req.query(name);
      if (v === undefined) return fallback;
      if (!/^[0-9]{1,19}$/.test(v) || BigInt(v) > max)
        throw new BadRequestError(
          "invalid_query",
          `${name} must be a whole number from 0 to ${max}.`,
          `query.${name}`,
        );
      return BigInt(v);
    };
    const summary = node.phases.summary(Number(int("txsMin", 0n)), int("from", 0n), int("to", 1n << 63n));
    const recent = node.phases.recent(Number(int("recent", 16n, BigInt(PHASE_HEIGHTS_KEPT))));
    // CPU time of the whole process (every thread: the node's and the database worker's), µs.
    const cpu = process.cpuUsage();
    return c.json({ summary, recent, cpuMicros: cpu.user + cpu.system });
  });
  if (indexer) app.route("/v1/index", createIndexApi(indexer.db, { heightCommitted: () => node.height }));
  // Dev-only time controls (dev-controls.ts): the devnet sets BITLAYER_DEV=1; production never does.
  if (process.env.BITLAYER_DEV === "1") app.route("/v1/dev", settlementDevControls(node));
  app.route("/", createSettlementApi(backend, apiOptions));
  renderErrors(app, "the node's logs");
  return app;
}

export type HttpServer = { port: number; close(): Promise<void> };

export async function serveApi(app: Hono, host: string, port: number): Promise<HttpServer> {
  return await new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info) =>
      resolve({
        port: info.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
    server.once("error", reject);
  });
}
