/** `bitlayer-settlement start --config F`: runs one validator until SIGINT/SIGTERM. */
import * as fs from "node:fs";
import * as path from "node:path";
import { pino } from "pino";
import { installNodeVerifier } from "../crypto/node-verifier.ts";
import { loadConfig } from "../config/config.ts";
import { nodeBackend } from "../node/backend.ts";
import { DatabaseIndexer, openIndexDatabase } from "../node/db-index.ts";
import { nodeApi, serveApi } from "../node/http.ts";
import { SettlementNode } from "../node/node.ts";

export async function start(configFile: string): Promise<void> {
  installNodeVerifier();
  const loaded = loadConfig(configFile);
  const { config } = loaded;
  const logger = pino({ level: config.logLevel, base: { node: config.moniker } });
  const db = config.database;
  fs.mkdirSync(loaded.dataDir, { recursive: true });
  const database = await openIndexDatabase(
    db.kind === "pglite"
      ? { kind: "pglite", dataDir: path.join(loaded.dataDir, "db") }
      : db.kind === "postgres"
        ? { kind: "postgres", url: requiredEnv(db.urlEnv), schema: db.schema }
        : { kind: "none" },
  );
  const indexer = database ? new DatabaseIndexer(database, logger) : null;
  if (indexer) await indexer.heightStored();
  const node = await SettlementNode.start(loaded, logger, {
    onCommit: indexer ? (committed) => indexer.push(committed) : undefined,
  });
  const backend = nodeBackend(node);
  const app = nodeApi(node, backend, {
    rateLimit:
      config.api.rateLimitPerSecond > 0
        ? { ratePerSecond: config.api.rateLimitPerSecond, burst: 2 * config.api.rateLimitPerSecond }
        : false,
    blockIntervalMsDefault: Math.max(config.consensus.blockIntervalMs, 1),
  });
  const http = await serveApi(app, config.api.host, config.api.port);
  logger.info(
    {
      publicKey: Buffer.from(node.publicKey).toString("hex"),
      height: String(node.height),
      p2pPort: node.network.listenPort,
      apiPort: http.port,
      database: db.kind,
    },
    "node: ready",
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "node: stopping");
    await http.close();
    await node.close();
    await indexer?.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`The config asks for PostgreSQL through $${name}, which is not set.`);
  return v;
}
