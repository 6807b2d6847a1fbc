import { Hono } from "hono";

/** The edge Worker. Lane and channel routes arrive with the lanes issue. */
const app = new Hono();

app.get("/v1/health", (c) => c.json({ ok: true }));

export default app;
