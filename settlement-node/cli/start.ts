/**
 * `bitlayer-settlement start --config F`: runs one validator until
 * SIGINT/SIGTERM. startValidator is the one way a validator process comes up
 * (the CLI, the devnet's scripts/devnet/validator.ts and the benchmarks use
 * it): storage and consensus (SettlementNode), the database kept by the
 * indexer, and the full HTTP API (settlement API, /v1/node, /v1/index).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pino } from "pino";
import { installNodeVerifier } from "../crypto/node-verifier.ts";
import { type LoadedConfig, loadConfig, type NodeConfig } from "../config/config.ts";
import { nodeBackend } from "../node/backend.ts";
import { type DatabaseChoice, DatabaseIndexer } from "../node/db-index.ts";
import { type HttpServer, nodeApi, serveApi } from "../node/http.ts";
import { SettlementNode } from "../node/node.ts";

export type StartOptions = {
  /** Overrides the config's logLevel. */
  logLevel?: NodeConfig["logLevel"];
  /** Overrides the config's API rate limit; false turns it off. */
  rateLimit?: false;
};

export type RunningValidator = {
  loaded: LoadedConfig;
  node: SettlementNode;
  indexer: DatabaseIndexer | null;
  http: HttpServer;
  /** Stops the API, the node and the database, in that order. */
  stop(): Promise<void>;
};

export class MissingEnvironmentError extends Error {
  override name = "MissingEnvironmentError";
}

function databaseChoice(loaded: LoadedConfig): DatabaseChoice {
  const db = loaded.config.database;
  if (db.kind === "pglite") return { kind: "pglite", dataDir: path.join(loaded.dataDir, "db") };
  if (db.kind === "none") return { kind: "none" };
  const url = process.env[db.urlEnv];
  if (!url)
    throw new MissingEnvironmentError(
      `The config asks for PostgreSQL through $${db.urlEnv}, which is not set.`,
    );
  return { kind: "postgres", url, schema: db.schema };
}

export async function startValidator(
  configFile: string,
  options: StartOptions = {},
): Promise<RunningValidator> {
  installNodeVerifier();
  const loaded = loadConfig(configFile);
  const { config } = loaded;
  const logger = pino({ level: options.logLevel ?? config.logLevel, base: { node: config.moniker } });
  fs.mkdirSync(loaded.dataDir, { recursive: true });
  const indexer = await DatabaseIndexer.open(databaseChoice(loaded), logger);
  let node: SettlementNode;
  try {
    node = await SettlementNode.start(loaded, logger, {
      onCommit: indexer ? (committed) => indexer.push(committed) : undefined,
    });
  } catch (e) {
    await indexer?.close();
    throw e;
  }
  if (indexer) indexer.onIndexed = (height, workMs) => node.phases.indexed(height, workMs);
  const rateLimit =
    options.rateLimit === false || config.api.rateLimitPerSecond === 0
      ? (false as const)
      : { ratePerSecond: config.api.rateLimitPerSecond, burst: 2 * config.api.rateLimitPerSecond };
  const app = nodeApi(node, nodeBackend(node), {
    rateLimit,
    blockIntervalMsDefault: Math.max(config.consensus.blockIntervalMs, 1),
    indexer,
  });
  const http = await serveApi(app, config.api.host, config.api.port);
  logger.info(
    {
      publicKey: Buffer.from(node.publicKey).toString("hex"),
      height: String(node.height),
      heightIndexed: indexer ? String(indexer.heightIndexed) : null,
      p2pPort: node.network.listenPort,
      apiPort: http.port,
      database: config.database.kind,
    },
    "node: ready",
  );
  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      await http.close();
      await node.close();
      await indexer?.close();
    })();
    return stopped;
  };
  return { loaded, node, indexer, http, stop };
}

/** The CLI command: start, then stop cleanly on SIGINT/SIGTERM (exit 0). */
export async function start(configFile: string, options: StartOptions = {}): Promise<RunningValidator> {
  const running = await startValidator(configFile, options);
  const onSignal = (signal: string) => {
    pino({ level: "info", base: { node: running.loaded.config.moniker } }).info({ signal }, "node: stopping");
    void running.stop().finally(() => process.exit(0));
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  return running;
}
