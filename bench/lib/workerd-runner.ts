import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { runsIn, type SelectedCase } from "./discover.ts";
import { errorText } from "./node-runner.ts";
import type { BenchResult, CaseModule, MeasureOptions } from "./types.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const ENTRY = join(ROOT, "bench", "workerd", "entry.ts");

/** Same date and flags as the deployed Worker, so workerd behaves as in production. */
function workerCompatibility(): { compatibilityDate: string; compatibilityFlags: string[] } {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? "2026-10-01";
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  return { compatibilityDate: date, compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) };
}

/** One ES module holding the entry and every case module that has a case for workerd. */
export async function bundleWorker(modules: CaseModule[]): Promise<string> {
  const included = modules.filter((m) => m.cases.some((c) => runsIn(c, "workerd")));
  const virtual = [
    ...included.map((m, i) => `import * as m${i} from ${JSON.stringify(m.file)};`),
    `export const modules = [${included.map((m, i) => `{ area: ${JSON.stringify(m.area)}, cases: m${i}.cases }`).join(", ")}];`,
  ].join("\n");
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser", "import"],
    external: ["node:*", "cloudflare:*"],
    logLevel: "silent",
    plugins: [
      {
        name: "bench-cases",
        setup(b) {
          b.onResolve({ filter: /^bench:cases$/ }, () => ({ path: "bench:cases", namespace: "bench" }));
          b.onLoad({ filter: /.*/, namespace: "bench" }, () => ({
            contents: virtual,
            loader: "ts",
            resolveDir: ROOT,
          }));
        },
      },
    ],
  });
  return result.outputFiles[0]!.text;
}

export type WorkerdBench = {
  measure(sel: SelectedCase, options: MeasureOptions): Promise<BenchResult>;
  roundTripMs: number;
  close(): Promise<void>;
};

/** The bundle in workerd through Miniflare; `inspectorPort` opens workerd's inspector (bench/profile-workerd.ts). */
export async function startBenchWorker(
  modules: CaseModule[],
  options: { inspectorPort?: number } = {},
): Promise<Miniflare> {
  const script = await bundleWorker(modules);
  // Miniflare 5 takes per-worker `config` objects; the converter accepts the classic flat options.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name: "bench",
      modules: true,
      script,
      ...workerCompatibility(),
      ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
    }),
  );
  await mf.ready;
  return mf;
}

export async function startWorkerd(modules: CaseModule[]): Promise<WorkerdBench> {
  const mf = await startBenchWorker(modules);

  const call = async (path: string, params: Record<string, string | number>) => {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
    const response = await mf.dispatchFetch(`http://bench${path}?${query}`, {
      method: path === "/list" ? "GET" : "POST",
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`workerd ${path} ${response.status}: ${text}`);
    return text;
  };
  const timed = async (params: Record<string, string | number>) => {
    const start = performance.now();
    await call("/run", params);
    return performance.now() - start;
  };

  const listed = JSON.parse(await call("/list", {})) as { id: string }[];
  const known = new Set(listed.map((c) => c.id));

  // Round trip of a request doing no work: median of many, so one slow request does not skew it.
  async function measureRoundTrip(id: string): Promise<number> {
    const samples: number[] = [];
    for (let i = 0; i < 41; i++) samples.push(await timed({ id, n: 0 }));
    samples.sort((a, b) => a - b);
    return samples[20]!;
  }
  let roundTripMs = 0;

  return {
    get roundTripMs() {
      return roundTripMs;
    },
    async measure(sel, options) {
      const c = sel.case;
      const base = {
        id: sel.id,
        area: sel.area,
        name: c.name,
        unit: c.unit,
        runtime: "workerd" as const,
        ...(c.quote ? { quote: c.quote } : {}),
      };
      try {
        if (!known.has(sel.id)) throw new Error("not in the workerd bundle");
        await call("/setup", { id: sel.id });
        roundTripMs = await measureRoundTrip(sel.id);
        // Grow the operations per request until one request lasts 50× the round trip (≥ 20 ms),
        // so the subtracted round trip is noise.
        let perCall = c.n;
        const warmupStart = performance.now();
        for (;;) {
          const ms = await timed({ id: sel.id, n: perCall });
          if (ms >= Math.max(20, 50 * roundTripMs) || perCall >= c.n * 1024) break;
          perCall *= 2;
        }
        while (performance.now() - warmupStart < options.warmupMs) await timed({ id: sel.id, n: perCall });

        let ops = 0;
        let elapsedMs = 0;
        let wallMs = 0;
        do {
          const ms = await timed({ id: sel.id, n: perCall });
          wallMs += ms;
          elapsedMs += Math.max(ms - roundTripMs, 0.001);
          ops += perCall;
        } while (wallMs < options.targetMs);
        await call("/release", { id: sel.id });
        return { ...base, opsPerSec: (ops * 1000) / elapsedMs, ops, elapsedMs, ratioToBaseline: null };
      } catch (error) {
        return {
          ...base,
          opsPerSec: 0,
          ops: 0,
          elapsedMs: 0,
          ratioToBaseline: null,
          error: errorText(error),
        };
      }
    },
    close: () => mf.dispose(),
  };
}
