/**
 * examples/game-backend against the real devnet: the game server (Hono on
 * @hono/node-server, the SDK client underneath) is started on a free port
 * and driven over HTTP like a game client would: players join and get coins,
 * the game mints an item, two players trade it for coins, and the trade
 * climbs to `final`. Every outcome is checked against the lane itself through
 * an independent SDK client (Merkle-proven reads), and refused requests
 * (bad input, not the owner, too poor) change nothing on the lane.
 */
import type { AddressInfo } from "node:net";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGameApp } from "../../examples/game-backend/src/app.ts";
import { gameFromDevnet } from "../../examples/game-backend/src/server.ts";
import { type BitlayerClient, createBitlayerClient } from "../../sdk/index.ts";
import {
  freeDevnetBasePort,
  killProcessGroup,
  type RunningDevnet,
  startDevnet,
  stopDevnet,
  waitUntil,
} from "./helpers/devnet.ts";

const STARTING_COINS = 1_000_000n;
const PRICE = 2_500n;
const CASHOUT = 40_000n;

let devnet: RunningDevnet | undefined;
let server: ReturnType<typeof serve> | undefined;
let base = "";
let lane: BitlayerClient;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
type Json = any;
async function call(method: string, route: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const r = await fetch(`${base}${route}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-game-example-"));
  devnet = await startDevnet({
    dir,
    basePort: await freeDevnetBasePort(),
    fresh: true,
    blockIntervalMs: 200,
    challengeWindowBlocks: 10,
    readyTimeoutMs: 90_000,
  });
  const game = gameFromDevnet(devnet.info, { startingCoins: STARTING_COINS });
  server = serve({ fetch: createGameApp(game).fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server!.once("listening", () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The test's own view of the lane: a separate client, nothing shared with the game.
  lane = createBitlayerClient({
    edgeUrl: devnet.info.edgeUrl,
    settlementUrls: devnet.info.validatorUrls,
    chainId: devnet.info.chainId,
    lane: devnet.info.lane,
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (devnet) await stopDevnet(devnet, 30_000).catch(() => killProcessGroup(devnet?.child));
  killProcessGroup(devnet?.child);
});

describe("game backend example on the devnet", () => {
  const players: Record<string, { id: string; publicKey: string }> = {};
  let itemId = "";
  let tradeHash = "";

  it("players join with starting coins paid from the treasury on the lane", async () => {
    for (const name of ["ann", "bob"]) {
      const r = await call("POST", "/players", { name });
      expect(r.status).toBe(201);
      expect(r.json.player.publicKey).toMatch(/^[0-9a-f]{64}$/);
      expect(r.json.funding.finality).toBe("soft");
      players[name] = r.json.player;
      const onLane = await lane.getAccount({ address: r.json.player.publicKey });
      expect(onLane.balance).toBe(STARTING_COINS);
    }
    expect(players.ann!.id).not.toBe(players.bob!.id);
  });

  it("the game mints an item to a player; the lane proves the owner", async () => {
    const r = await call("POST", `/players/${players.ann!.id}/items`, { kind: "sword" });
    expect(r.status).toBe(201);
    itemId = r.json.item.itemId;
    expect(itemId).toMatch(/^[0-9a-f]{64}$/);
    const { item } = await lane.getItem({ itemId });
    expect(item).not.toBeNull();
    expect(Buffer.from(item!.owner).toString("hex")).toBe(players.ann!.publicKey);
    const inv = await call("GET", `/players/${players.ann!.id}`);
    expect(inv.json.items.map((i: { itemId: string }) => i.itemId)).toEqual([itemId]);
  });

  it("refused requests change nothing: bad input (400 naming the field), unknown player, not the owner, too poor", async () => {
    const before = await Promise.all(
      [players.ann!, players.bob!].map((p) => lane.getAccount({ address: p.publicKey })),
    );
    const cases: [unknown, number, string, string | undefined][] = [
      ["{not json", 400, "invalid_json", undefined],
      [
        { sellerId: players.ann!.id, buyerId: players.bob!.id, itemId: "abc", price: "5" },
        400,
        "invalid_body",
        "itemId",
      ],
      [
        { sellerId: players.ann!.id, buyerId: players.bob!.id, itemId, price: "-5" },
        400,
        "invalid_body",
        "price",
      ],
      [
        { sellerId: players.ann!.id, buyerId: players.bob!.id, itemId, price: "5", extra: 1 },
        400,
        "invalid_body",
        undefined,
      ],
      [{ sellerId: "p404", buyerId: players.bob!.id, itemId, price: "5" }, 404, "unknown_player", "playerId"],
      [
        { sellerId: players.bob!.id, buyerId: players.ann!.id, itemId, price: "5" },
        409,
        "not_owner",
        "itemId",
      ],
      [
        { sellerId: players.ann!.id, buyerId: players.ann!.id, itemId, price: "5" },
        400,
        "same_player",
        "buyerId",
      ],
      // The buyer cannot pay: the lane's state transition function refuses the whole trade.
      [
        {
          sellerId: players.ann!.id,
          buyerId: players.bob!.id,
          itemId,
          price: (STARTING_COINS * 10n).toString(),
        },
        422,
        "rejected",
        undefined,
      ],
    ];
    for (const [body, status, code, field] of cases) {
      const r = await call("POST", "/trades", body);
      expect(r.status, JSON.stringify(r.json)).toBe(status);
      expect(r.json.error.code).toBe(code);
      if (field) expect(r.json.error.field).toBe(field);
    }
    expect((await call("POST", `/players/${players.ann!.id}/items`, { kind: "Sword!" })).status).toBe(400);
    const after = await Promise.all(
      [players.ann!, players.bob!].map((p) => lane.getAccount({ address: p.publicKey })),
    );
    expect(after.map((a) => [a.balance, a.nonce])).toEqual(before.map((a) => [a.balance, a.nonce]));
    const { item } = await lane.getItem({ itemId });
    expect(Buffer.from(item!.owner).toString("hex")).toBe(players.ann!.publicKey);
  });

  it("a trade moves the item and the coins atomically; the seller pays the fee", async () => {
    const [ann0, bob0] = await Promise.all(
      [players.ann!, players.bob!].map((p) => lane.getAccount({ address: p.publicKey })),
    );
    const r = await call("POST", "/trades", {
      sellerId: players.ann!.id,
      buyerId: players.bob!.id,
      itemId,
      price: PRICE.toString(),
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    tradeHash = r.json.tx.hash;
    const [ann1, bob1] = (await Promise.all(
      [players.ann!, players.bob!].map((p) => lane.getAccount({ address: p.publicKey })),
    )) as [
      Awaited<ReturnType<BitlayerClient["getAccount"]>>,
      Awaited<ReturnType<BitlayerClient["getAccount"]>>,
    ];
    expect(bob1.balance).toBe(bob0!.balance - PRICE);
    const fee = ann0!.balance + PRICE - ann1.balance;
    expect(fee).toBeGreaterThan(0n);
    // A sanity bound only: the fee is gas × fee cap, far below the starting coins.
    expect(fee).toBeLessThan(STARTING_COINS / 10n);
    expect(ann1.nonce).toBe(ann0!.nonce + 1n);
    const { item } = await lane.getItem({ itemId });
    expect(Buffer.from(item!.owner).toString("hex")).toBe(players.bob!.publicKey);
    const bobView = await call("GET", `/players/${players.bob!.id}`);
    expect(bobView.json.coins).toBe(bob1.balance.toString());
    expect(bobView.json.items[0].ownerPlayerId).toBe(players.bob!.id);
    expect((await call("GET", `/players/${players.ann!.id}`)).json.items).toEqual([]);
  });

  it("a cash-out withdraws coins from the lane and pays them on settlement, status by status", async () => {
    const bob = players.bob!;
    const settlementOf = async (address: string): Promise<bigint> => {
      const r = await fetch(`${devnet!.info.validatorUrls[0]}/v1/accounts/${address}`);
      if (r.status === 404) return 0n;
      return BigInt(((await r.json()) as { balance: string }).balance);
    };
    const bobAddress = (await call("GET", `/players/${bob.id}`)).json.player.settlementAddress;
    const settlementBefore = await settlementOf(bobAddress);
    const laneBefore = await lane.getAccount({ address: bob.publicKey });
    const started = await call("POST", `/players/${bob.id}/cashouts`, { amount: CASHOUT.toString() });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    expect(started.json.hash).toMatch(/^[0-9a-f]{64}$/);
    const seen: string[] = [started.json.status];
    const done = await waitUntil(
      "the cash-out to be claimed",
      async () => {
        const r = await call("GET", `/cashouts/${started.json.id}`);
        if (seen.at(-1) !== r.json.status) seen.push(r.json.status);
        if (r.json.status === "failed") throw new Error(r.json.error);
        return r.json.status === "claimed" ? r.json : undefined;
      },
      90_000,
      100,
    );
    expect(seen[0]).toBe("soft");
    expect(done.claimHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(Object.keys(done.timings)).toEqual(expect.arrayContaining(["soft", "final", "claimed"]));
    expect(await settlementOf(bobAddress)).toBe(settlementBefore + CASHOUT);
    const laneAfter = await lane.getAccount({ address: bob.publicKey });
    expect(laneBefore.balance - laneAfter.balance).toBeGreaterThanOrEqual(CASHOUT);
    // More than the player has: refused at once, nothing burned.
    const tooMuch = await call("POST", `/players/${bob.id}/cashouts`, {
      amount: (STARTING_COINS * 100n).toString(),
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.json.error.reason).toBe("BalanceInsufficient");
    expect((await lane.getAccount({ address: bob.publicKey })).balance).toBe(laneAfter.balance);
    expect((await call("GET", "/cashouts/c999")).status).toBe(404);
  });

  it("the trade reaches final on settlement (the game's /txs route follows the ladder)", async () => {
    const seen: string[] = [];
    await waitUntil(
      "the trade to be final",
      async () => {
        const r = await call("GET", `/txs/${tradeHash}`);
        if (seen.at(-1) !== r.json.status) seen.push(r.json.status);
        return r.json.status === "final" ? true : undefined;
      },
      60_000,
      100,
    );
    const ladder = ["soft", "checkpointed", "settled", "final"];
    // Statuses only ever climb (polling may skip a rung, never go back).
    expect(seen.map((s) => ladder.indexOf(s))).toEqual([...seen.map((s) => ladder.indexOf(s))].sort());
    expect((await lane.getTransactionStatus({ hash: tradeHash })).status).toBe("final");
  });
});
