/**
 * startWatcher: the one way a watcher process comes up (cli.ts, and the
 * devnet through it): lane genesis from the data dir, the settlement client,
 * the poll loop, and the HTTP API.
 */
import * as path from "node:path";
import { pino } from "pino";
import { installNodeVerifier } from "../crypto/node-verifier.ts";
import { type HttpServer, serveApi } from "../node/http.ts";
import { createWatcherApi } from "./api.ts";
import { readLaneGenesis } from "./genesis-file.ts";
import { SettlementClient } from "./settlement-client.ts";
import { Watcher } from "./watcher.ts";

export type WatcherStartOptions = {
  settlementUrls: readonly string[];
  lanes: readonly number[];
  dataDir: string;
  host: string;
  /** 0 picks a free port (see `http.port`). */
  port: number;
  pollMs: number;
  logLevel: string;
};

export type RunningWatcher = { watcher: Watcher; http: HttpServer; stop(): Promise<void> };

export async function startWatcher(o: WatcherStartOptions): Promise<RunningWatcher> {
  installNodeVerifier();
  const logger = pino({ level: o.logLevel, base: { service: "watcher" } });
  const lanes = o.lanes.map((lane) => ({ lane, genesis: readLaneGenesis(o.dataDir, lane) }));
  const watcher = new Watcher({
    client: new SettlementClient({ urls: o.settlementUrls }),
    lanes,
    logger,
    pollMs: o.pollMs,
    progressDir: path.join(o.dataDir, "progress"),
  });
  const http = await serveApi(createWatcherApi(watcher), o.host, o.port);
  watcher.start();
  logger.info(
    { port: http.port, lanes: o.lanes, settlementUrls: o.settlementUrls, dataDir: o.dataDir },
    "watcher: ready",
  );
  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      await http.close();
      await watcher.stop();
    })();
    return stopped;
  };
  return { watcher, http, stop };
}
