/**
 * One devnet validator: the same process as `npm run settlement -- start`
 * (settlement-node/cli/start.ts), but serving the full settlement API
 * (createSettlementApi: lanes, checkpoints with finality) that the edge's
 * checkpoint poster reads. The CLI serves the minimal routes for now.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pino } from "pino";
import { createSettlementApi } from "../../settlement-node/api/app.ts";
import { installNodeVerifier } from "../../settlement-node/crypto/node-verifier.ts";
import { loadConfig } from "../../settlement-node/config/config.ts";
import { nodeBackend } from "../../settlement-node/node/backend.ts";
import { nodeCounters, serveApi } from "../../settlement-node/node/http.ts";
import { SettlementNode } from "../../settlement-node/node/node.ts";

installNodeVerifier();
const loaded = loadConfig(process.argv[2] ?? "");
const logger = pino({ level: "warn", base: { node: loaded.config.moniker } });
fs.mkdirSync(path.join(loaded.dataDir), { recursive: true });
const node = await SettlementNode.start(loaded, logger, {});
const app = createSettlementApi(nodeBackend(node), {
  rateLimit: false,
  blockIntervalMsDefault: loaded.config.consensus.blockIntervalMs,
});
app.get("/v1/node", (c) => c.json(nodeCounters(node)));
const http = await serveApi(app, loaded.config.api.host, loaded.config.api.port);
process.stdout.write(`${loaded.config.moniker} ready on ${loaded.config.api.port}\n`);
const stop = async () => {
  await http.close();
  await node.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
