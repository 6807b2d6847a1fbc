/** The validator's HTTP server: the settlement API and this node's counters. */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createSettlementApi, type SettlementApiOptions } from "../api/app.ts";
import type { SettlementBackend } from "../api/backend.ts";
import { hex } from "../api/views.ts";
import type { SettlementNode } from "./node.ts";

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
};

export function nodeCounters(node: SettlementNode): NodeCounters {
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
  };
}

/**
 * The settlement API (settlement-node/api, createSettlementApi) over this
 * node, plus `GET /v1/node` with its consensus and vote-audit counters.
 */
export function nodeApi(
  node: SettlementNode,
  backend: SettlementBackend,
  options: SettlementApiOptions,
): Hono {
  const app = new Hono();
  app.get("/v1/node", (c) => c.json(nodeCounters(node)));
  app.route("/", createSettlementApi(backend, options));
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
