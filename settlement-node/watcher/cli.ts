/**
 * bitlayer watcher: replays lane checkpoints from settlement and reports
 * any whose claimed root the replay contradicts (docs/devnet.md#watcher).
 *
 *   node settlement-node/watcher/cli.ts --settlement-urls http://127.0.0.1:26651,http://127.0.0.1:26653
 *        --data-dir D [--lanes 1,2] [--port 26752] [--host 127.0.0.1] [--poll-ms 500] [--log-level info]
 *
 * The data dir holds each lane's genesis as genesis/lane-<id>.json
 * (genesis-file.ts). Logs are pino JSON on stdout. SIGINT/SIGTERM stop it
 * (exit 0); a bad argument or genesis file exits 2 naming it.
 */
import { parseArgs } from "node:util";
import { WatcherConfigError } from "./errors.ts";
import { startWatcher, type WatcherStartOptions } from "./start.ts";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];

function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < min || n > max)
    throw new WatcherConfigError(flag, `must be an integer from ${min} to ${max}, got "${value}".`);
  return n;
}

function parseWatcherArgs(argv: string[]): WatcherStartOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      "settlement-urls": { type: "string" },
      lanes: { type: "string", default: "1" },
      "data-dir": { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "26752" },
      "poll-ms": { type: "string", default: "500" },
      "log-level": { type: "string", default: "info" },
    },
  });
  const urls = (values["settlement-urls"] ?? "").split(",").filter((u) => u !== "");
  if (urls.length === 0)
    throw new WatcherConfigError("--settlement-urls", "is required: comma-separated validator API URLs.");
  for (const url of urls)
    if (!/^https?:\/\/[^/]+/.test(url))
      throw new WatcherConfigError("--settlement-urls", `"${url}" is not an http(s) URL.`);
  if (!values["data-dir"])
    throw new WatcherConfigError("--data-dir", "is required: it holds genesis/lane-<id>.json.");
  const lanes = values.lanes.split(",").map((l) => integer("--lanes", l, 1, 0xffff_ffff));
  if (!LOG_LEVELS.includes(values["log-level"]))
    throw new WatcherConfigError("--log-level", `must be one of ${LOG_LEVELS.join(", ")}.`);
  return {
    settlementUrls: urls,
    lanes,
    dataDir: values["data-dir"],
    host: values.host,
    port: integer("--port", values.port, 0, 65535),
    pollMs: integer("--poll-ms", values["poll-ms"], 10, 3_600_000),
    logLevel: values["log-level"],
  };
}

try {
  const running = await startWatcher(parseWatcherArgs(process.argv.slice(2)));
  const onSignal = () => void running.stop().finally(() => process.exit(0));
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
} catch (e) {
  if (
    e instanceof WatcherConfigError ||
    String((e as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS")
  ) {
    process.stderr.write(`watcher: ${(e as Error).message}\n`);
    process.exit(2);
  }
  throw e;
}
