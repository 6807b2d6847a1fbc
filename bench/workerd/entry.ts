/**
 * The benchmark Worker: bench/lib/workerd-runner.ts bundles this file with
 * every runtime-agnostic bench/cases/<area>.ts (the virtual module
 * "bench:cases") and drives it from Node with dispatchFetch.
 *
 * Inside workerd, clocks stand still during computation, so nothing here
 * measures time: Node times each request, and subtracts the round trip of a
 * request that runs zero operations.
 *
 *   GET  /list                 the cases this bundle holds
 *   POST /setup?id=<case id>   runs the case's setup and keeps its state
 *   POST /run?id=<id>&n=<ops>  runs n operations (n = 0: round trip only)
 *   POST /release?id=<id>      drops the state
 */
// @ts-expect-error: provided by the esbuild plugin in bench/lib/workerd-runner.ts
import { modules } from "bench:cases";
import type { BenchCase, CaseModule } from "../lib/types.ts";

const byId = new Map<string, BenchCase>();
for (const m of modules as Pick<CaseModule, "area" | "cases">[]) {
  for (const c of m.cases) byId.set(`${m.area}/${c.name}`, c);
}
const states = new Map<string, unknown>();

function lookup(url: URL): [string, BenchCase] {
  const id = url.searchParams.get("id") ?? "";
  const c = byId.get(id);
  if (!c) throw new Error(`no bench case ${JSON.stringify(id)} in this bundle`);
  return [id, c];
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    try {
      switch (url.pathname) {
        case "/list":
          return Response.json(
            [...byId].map(([id, c]) => ({ id, n: c.n, unit: c.unit, runtimes: c.runtimes ?? null })),
          );
        case "/setup": {
          const [id, c] = lookup(url);
          states.set(id, await c.setup?.());
          return new Response("ok");
        }
        case "/run": {
          const [id, c] = lookup(url);
          const n = Number(url.searchParams.get("n"));
          if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad n ${url.searchParams.get("n")}`);
          if (n > 0) await c.run(states.get(id), n);
          return new Response("ok");
        }
        case "/release":
          states.delete(lookup(url)[0]);
          return new Response("ok");
        default:
          return new Response("not found", { status: 404 });
      }
    } catch (error) {
      const message =
        error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error);
      return new Response(message, { status: 500 });
    }
  },
};
