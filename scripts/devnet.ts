// The devnet arrives with the devnet issue; until then `npm start` runs the edge Worker alone.
import { spawn } from "node:child_process";

const child = spawn("wrangler", ["dev"], { stdio: "inherit" });
child.on("exit", (code) => process.exit(code ?? 0));
