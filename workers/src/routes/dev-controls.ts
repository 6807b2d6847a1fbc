/**
 * Time controls for tests (issue #7 item 2), served only when the Worker
 * runs with BITLAYER_DEV = "1" (the devnet sets it; never wrangler.toml):
 * otherwise every path here is a 404, as if the module were not mounted.
 * The SDK's test helpers (sdk/testing) call them.
 *
 *   POST /v1/dev/lanes/:lane/advance-time  { "ms": 60000 }   the lane's clock jumps ahead, then the alarm runs
 *   POST /v1/dev/lanes/:lane/alarm                           run the alarm now (post, poll settlement now)
 *   POST /v1/dev/lanes/:lane/checkpoint                      checkpoint every pending block now and post it
 *   POST /v1/dev/lanes/:lane/seal                            the lane's head (each step already seals its block)
 *
 * Each answers the lane's DevLaneState (clock offset, height, pending
 * blocks, last checkpoint and its status).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { Env } from "../env.ts";
import { badRequest, notFound } from "../errors.ts";
import { jsonBody } from "../validate.ts";
import { devRoutesEnabled } from "./dev-bench.ts";

/** Ten years: far beyond any challenge window, small enough to stay a safe integer when added to Date.now(). */
const ADVANCE_MS_MAX = 10 * 365 * 24 * 3600 * 1000;
export const advanceBody = z.object({ ms: z.number().int().min(0).max(ADVANCE_MS_MAX) }).strict();

type DevEnv = { Bindings: Env; Variables: { lane: number } };

export const devControls = new Hono<DevEnv>();

devControls.use("*", async (c, next) => {
  if (!devRoutesEnabled(c.env)) throw notFound("Route");
  await next();
});

devControls.use("/:lane/*", async (c, next) => {
  const raw = c.req.param("lane") ?? "";
  const lane = Number(raw);
  if (!/^[1-9][0-9]{0,9}$/.test(raw) || lane > Number(c.env.LANES_MAX))
    throw badRequest("invalid_lane", `Lane must be an integer in 1..${c.env.LANES_MAX}.`, "lane");
  c.set("lane", lane);
  await next();
});

const sequencer = (env: Env, lane: number) => env.SEQUENCER.getByName(String(lane));

devControls.post("/:lane/advance-time", async (c) => {
  const body = await jsonBody(c, advanceBody);
  return c.json(await sequencer(c.env, c.get("lane")).devAdvanceClock(body.ms));
});

devControls.post("/:lane/alarm", async (c) => c.json(await sequencer(c.env, c.get("lane")).devRunAlarm()));

devControls.post("/:lane/checkpoint", async (c) =>
  c.json(await sequencer(c.env, c.get("lane")).devForceCheckpoint()),
);

devControls.post("/:lane/seal", async (c) => c.json(await sequencer(c.env, c.get("lane")).devSeal()));
