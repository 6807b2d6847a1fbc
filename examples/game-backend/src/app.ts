/**
 * The game server's HTTP API (Hono). Thin handlers: zod checks each body
 * (400 naming the field), the Game does the work, one onError maps the
 * game's rules (4xx) and the SDK's typed errors (a lane refusal is 422 with
 * its reason; the network failing is 502) to `{ error: { code, message, field? } }`.
 */
import { Hono } from "hono";
import { z } from "zod";
import { BitlayerError } from "../../../shared/errors.ts";
import { RequestRefusedError, TransactionRejectedError } from "../../../sdk/index.ts";
import { type Game, GameRuleError } from "./game.ts";

const HEX32 = /^[0-9a-f]{64}$/;
const coins = z.string().regex(/^[1-9][0-9]{0,30}$/, "a whole number of coins > 0, as a decimal string");

const joinBody = z.object({ name: z.string().min(1).max(40) }).strict();
const grantBody = z
  .object({ kind: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "lowercase letters, digits, -") })
  .strict();
const cashoutBody = z.object({ amount: coins }).strict();
const tradeBody = z
  .object({
    sellerId: z.string().min(1),
    buyerId: z.string().min(1),
    itemId: z.string().regex(HEX32, "64 lowercase hex digits"),
    price: coins,
  })
  .strict();

async function parseBody<T extends z.ZodType>(schema: T, request: Request): Promise<z.output<T>> {
  let json: unknown;
  try {
    json = await request.json();
  } catch {
    throw new GameRuleError(400, "invalid_json", "The body is not JSON.");
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new GameRuleError(400, "invalid_body", issue.message, issue.path.join(".") || undefined);
  }
  return r.data;
}

const playerJson = (p: { id: string; name: string; account: { publicKeyHex: string; address: string } }) => ({
  id: p.id,
  name: p.name,
  publicKey: p.account.publicKeyHex,
  settlementAddress: p.account.address,
});

export function createGameApp(game: Game): Hono {
  const app = new Hono();

  app.post("/players", async (c) => {
    const { name } = await parseBody(joinBody, c.req.raw);
    const { player, funding } = await game.join(name);
    return c.json({ player: playerJson(player), funding }, 201);
  });

  app.get("/players/:id", async (c) => {
    const player = game.player(c.req.param("id"));
    const inv = await game.inventory(player.id);
    return c.json({ player: playerJson(player), coins: inv.coins.toString(), items: inv.items });
  });

  app.post("/players/:id/items", async (c) => {
    const { kind } = await parseBody(grantBody, c.req.raw);
    return c.json(await game.grantItem(c.req.param("id"), kind), 201);
  });

  app.get("/items/:itemId", async (c) => c.json(await game.item(c.req.param("itemId"))));

  app.post("/trades", async (c) => {
    const b = await parseBody(tradeBody, c.req.raw);
    const tx = await game.trade({ ...b, price: BigInt(b.price) });
    return c.json({ tx }, 201);
  });

  app.post("/players/:id/cashouts", async (c) => {
    const { amount } = await parseBody(cashoutBody, c.req.raw);
    const view = await game.startCashout(c.req.param("id"), BigInt(amount));
    return c.json(view, 202);
  });

  app.get("/cashouts/:id", (c) => c.json(game.cashout(c.req.param("id"))));

  app.get("/txs/:hash", async (c) => {
    const hash = c.req.param("hash");
    if (!HEX32.test(hash)) throw new GameRuleError(400, "invalid_hash", "64 lowercase hex digits.", "hash");
    const s = await game.client.getTransactionStatus({ hash });
    return c.json({ hash, status: s.status });
  });

  app.notFound((c) => c.json({ error: { code: "not_found", message: "No such route." } }, 404));

  app.onError((error, c) => {
    if (error instanceof GameRuleError)
      return c.json(
        { error: { code: error.code, message: error.message, field: error.field } },
        error.status,
      );
    if (error instanceof TransactionRejectedError)
      // The lane refused the transaction (e.g. BalanceInsufficient): nothing moved.
      return c.json({ error: { code: "rejected", message: error.shortMessage, reason: error.reason } }, 422);
    if (error instanceof RequestRefusedError)
      return c.json({ error: { code: error.code, message: error.shortMessage, field: error.field } }, 422);
    if (error instanceof BitlayerError)
      return c.json({ error: { code: "ledger_unavailable", message: error.shortMessage } }, 502);
    console.error(error);
    return c.json({ error: { code: "internal", message: "Internal error." } }, 500);
  });

  return app;
}
