/**
 * The validator's HTTP API. Serves the settlement API
 * (settlement-node/api, createSettlementApi) when it is available, else the
 * minimal routes the cluster tools need, in the same JSON shapes
 * (api/views.ts), plus /v1/node with this node's consensus and audit
 * counters.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { fromHex, toHex } from "../../shared/bytes.ts";
import type { SettlementBackend } from "../api/backend.ts";
import { blockJson, hex, statusJson } from "../api/views.ts";
import { Books } from "../ledger/index.ts";
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

const parseHex = (s: string): Uint8Array | null => {
  const body = s.startsWith("0x") ? s.slice(2) : s;
  if (!/^([0-9a-f]{2})*$/.test(body)) return null;
  return fromHex(body);
};

export function minimalApi(node: SettlementNode, backend: SettlementBackend): Hono {
  const app = new Hono();
  app.get("/v1/status", (c) => c.json(statusJson(backend.status())));
  app.get("/v1/node", (c) => c.json(nodeCounters(node)));
  app.post("/v1/txs", async (c) => {
    const body = (await c.req.json().catch(() => null)) as { tx?: unknown } | null;
    const bytes = typeof body?.tx === "string" ? parseHex(body.tx) : null;
    if (!bytes) return c.json({ error: 'body must be {"tx": "0x<hex>"}' }, 400);
    const r = await backend.submitTx(bytes);
    return c.json(
      { hash: hex(r.hash), accepted: r.accepted, code: r.code ?? null, message: r.message ?? null },
      r.accepted ? 202 : 422,
    );
  });
  app.get("/v1/blocks/:height", (c) => {
    const h = c.req.param("height");
    if (!/^[0-9]{1,19}$/.test(h)) return c.json({ error: "height must be a decimal integer" }, 400);
    const b = backend.block(BigInt(h));
    return b ? c.json(blockJson(b)) : c.json({ error: `block ${h} is not committed here` }, 404);
  });
  app.get("/v1/accounts/:address", (c) => {
    const address = parseHex(c.req.param("address").replace(/^bl/, ""));
    if (address?.length !== 20) return c.json({ error: "address must be 20 bytes of hex" }, 400);
    const account = new Books(backend.ledger().state).account(address);
    return c.json({
      address: toHex(address),
      nonce: String(account.nonce),
      balance: String(account.balance),
    });
  });
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
