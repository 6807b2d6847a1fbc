/**
 * One devnet validator: exactly `npm run settlement -- start`
 * (settlement-node/cli/start.ts: full settlement API, /v1/node, and the
 * indexed views when the config has a database), with warn-level logs and no
 * API rate limit (the edge's poster and the e2e tests poll it).
 */
import { start } from "../../settlement-node/cli/start.ts";

const running = await start(process.argv[2] ?? "", { logLevel: "warn", rateLimit: false });
process.stdout.write(`${running.loaded.config.moniker} ready on ${running.http.port}\n`);
