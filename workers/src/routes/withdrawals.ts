/**
 * GET /v1/lanes/:lane/withdrawals/:id/proof — what a withdrawal claim on
 * settlement needs: the withdrawal leaf and its SMT inclusion proof against
 * the root of the checkpoint that holds it, with that checkpoint's status on
 * the finality ladder (a claim is paid only once it is `final`). The SDK's
 * getWithdrawalProof / buildWithdrawalClaim read it.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { Env } from "../env.ts";
import { badRequest, notFound } from "../errors.ts";

const laneParam = z.string().regex(/^[1-9][0-9]{0,9}$/);
const idParam = z.string().regex(/^(0|[1-9][0-9]{0,19})$/);
const U64_MAX = (1n << 64n) - 1n;

export const withdrawalRoutes = new Hono<{ Bindings: Env }>();

withdrawalRoutes.get("/:lane/withdrawals/:id/proof", async (c) => {
  const rawLane = c.req.param("lane");
  const lane = Number(rawLane);
  if (!laneParam.safeParse(rawLane).success || lane > Number(c.env.LANES_MAX))
    throw badRequest("invalid_lane", `Lane must be an integer in 1..${c.env.LANES_MAX}.`, "lane");
  const id = c.req.param("id");
  if (!idParam.safeParse(id).success || BigInt(id) > U64_MAX)
    throw badRequest("invalid_withdrawal_id", "Withdrawal id must be a decimal u64.", "id");
  const proof = await c.env.SEQUENCER.getByName(String(lane)).withdrawalProof(id);
  if (!proof) throw notFound(`Withdrawal ${id} of lane ${lane}`);
  return c.json(proof);
});
