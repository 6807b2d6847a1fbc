/**
 * Runs the game server against a Bitlayer network: by default the devnet
 * started with `npm start` (its .devnet/devnet.json), the game's treasury
 * being devnet account 0.
 *
 *   node_modules/.bin/node examples/game-backend/src/server.ts
 *   PORT=8788 DEVNET=/tmp/dn/devnet.json node_modules/.bin/node examples/game-backend/src/server.ts
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { serve } from "@hono/node-server";
import { fromHex } from "../../../shared/bytes.ts";
import { type BitlayerClient, createBitlayerClient, secretKeyToAccount } from "../../../sdk/index.ts";
import { createGameApp } from "./app.ts";
import { Game } from "./game.ts";

export type Devnet = {
  edgeUrl: string;
  validatorUrls: string[];
  chainId: string;
  lane?: number;
  accounts: { secretKey: string }[];
};

export function readDevnet(file: string): Devnet {
  if (!fs.existsSync(file)) throw new Error(`${file} not found: start the devnet first (npm start).`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Devnet;
}

export function gameFromDevnet(devnet: Devnet, o: { startingCoins?: bigint } = {}): Game {
  const client: BitlayerClient = createBitlayerClient({
    edgeUrl: devnet.edgeUrl,
    settlementUrls: devnet.validatorUrls,
    chainId: devnet.chainId,
    lane: devnet.lane ?? 1,
  });
  const treasury = secretKeyToAccount({ secretKey: fromHex(devnet.accounts[0]!.secretKey) });
  return new Game({ client, treasury, startingCoins: o.startingCoins ?? 1_000_000n });
}

if (import.meta.main) {
  const file = path.resolve(process.env.DEVNET ?? ".devnet/devnet.json");
  const game = gameFromDevnet(readDevnet(file));
  const port = Number(process.env.PORT ?? 8788);
  serve({ fetch: createGameApp(game).fetch, port, hostname: "127.0.0.1" }, (info) =>
    console.log(`game server on http://127.0.0.1:${info.port} (ledger: ${file})`),
  );
}
