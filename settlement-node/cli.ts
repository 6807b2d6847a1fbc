/**
 * bitlayer-settlement: the settlement validator's command line.
 *
 *   init     --validators N --dir D [--chain-id X] [--accounts M] [--host H]
 *            [--base-port P | --p2p-ports a,b,.. --api-ports c,d,..]
 *            [--database pglite|postgres|none] [--schema-prefix S]
 *            [--block-interval-ms T] [--timeout-propose-ms T] [--gossip-interval-ms T]
 *            [--api-rate-limit R (requests/s per client, 0 = off)]
 *   start    --config F
 *   status   --url U
 *   reindex  --config F
 *
 * docs/operations-settlement.md describes the files, ports and recovery.
 */
import { parseArgs } from "node:util";
import { init } from "./cli/init.ts";
import { reindex } from "./cli/reindex.ts";
import { start } from "./cli/start.ts";

const USAGE = `usage: bitlayer-settlement <init|start|status|reindex> [options]
  init    --validators N --dir D [--chain-id X] [--accounts M] [--base-port P] [--database pglite|postgres|none]
  start   --config F
  status  --url http://127.0.0.1:26651
  reindex --config F`;

const ports = (s: string | undefined): number[] | undefined =>
  s?.split(",").map((p) => Number.parseInt(p, 10));
const int = (s: string | undefined): number | undefined =>
  s === undefined ? undefined : Number.parseInt(s, 10);

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      validators: { type: "string" },
      accounts: { type: "string" },
      dir: { type: "string" },
      "chain-id": { type: "string" },
      host: { type: "string" },
      "base-port": { type: "string" },
      "p2p-ports": { type: "string" },
      "api-ports": { type: "string" },
      database: { type: "string" },
      "schema-prefix": { type: "string" },
      "block-interval-ms": { type: "string" },
      "timeout-propose-ms": { type: "string" },
      "gossip-interval-ms": { type: "string" },
      "api-rate-limit": { type: "string" },
      config: { type: "string" },
      url: { type: "string" },
    },
  });
  switch (command) {
    case "init": {
      const n = int(values.validators) ?? 4;
      const base = int(values["base-port"]) ?? 26650;
      const database = (values.database ?? "pglite") as "pglite" | "postgres" | "none";
      if (!["pglite", "postgres", "none"].includes(database))
        throw new Error(`--database ${database}: use pglite, postgres or none`);
      if (!values.dir) throw new Error("init needs --dir");
      const consensus: Record<string, number> = {};
      if (values["block-interval-ms"]) consensus.blockIntervalMs = int(values["block-interval-ms"])!;
      if (values["timeout-propose-ms"]) consensus.timeoutMsPropose = int(values["timeout-propose-ms"])!;
      if (values["gossip-interval-ms"]) consensus.gossipIntervalMs = int(values["gossip-interval-ms"])!;
      const result = init({
        dir: values.dir,
        validators: n,
        accounts: int(values.accounts) ?? 4,
        chainId: values["chain-id"] ?? "bitlayer-local",
        host: values.host ?? "127.0.0.1",
        p2pPorts: ports(values["p2p-ports"]) ?? Array.from({ length: n }, (_, i) => base + 2 * i),
        apiPorts: ports(values["api-ports"]) ?? Array.from({ length: n }, (_, i) => base + 2 * i + 1),
        database,
        schemaPrefix: values["schema-prefix"] ?? "bitlayer",
        consensus,
        apiRateLimitPerSecond: int(values["api-rate-limit"]),
      });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    case "start":
      if (!values.config) throw new Error("start needs --config");
      await start(values.config);
      return;
    case "status": {
      const url = (values.url ?? "http://127.0.0.1:26651").replace(/\/$/, "");
      const [status, node] = await Promise.all(
        ["/v1/status", "/v1/node"].map(async (p) => (await fetch(url + p)).json()),
      );
      process.stdout.write(`${JSON.stringify({ status, node }, null, 2)}\n`);
      return;
    }
    case "reindex": {
      if (!values.config) throw new Error("reindex needs --config");
      const r = await reindex(values.config);
      process.stdout.write(
        `${JSON.stringify({ countBlocks: r.countBlocks, heightLast: String(r.heightLast) })}\n`,
      );
      return;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exit(2);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`bitlayer-settlement: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
