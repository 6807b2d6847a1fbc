import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { SelectedCase } from "./discover.ts";
import type { BenchResult, MeasureOptions } from "./types.ts";

// A full collection before reading the heap, so the figure is the live set (the
// case's state included), not garbage left by earlier cases.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/**
 * Times a case in this Node process: setup, warm-up calls until warmupMs has
 * passed (at least one), then timed calls of `n` operations each until
 * targetMs has passed (at least one).
 */
export async function measureInNode(sel: SelectedCase, options: MeasureOptions): Promise<BenchResult> {
  const c = sel.case;
  const base = {
    id: sel.id,
    area: sel.area,
    name: c.name,
    unit: c.unit,
    runtime: "node" as const,
    ...(c.quote ? { quote: c.quote } : {}),
  };
  try {
    const state = await c.setup?.();
    const warmupStart = performance.now();
    do await c.run(state, c.n);
    while (performance.now() - warmupStart < options.warmupMs);

    let ops = 0;
    const start = performance.now();
    let elapsedMs = 0;
    do {
      await c.run(state, c.n);
      ops += c.n;
      elapsedMs = performance.now() - start;
    } while (elapsedMs < options.targetMs);
    collectGarbage();
    const heapUsedBytes = process.memoryUsage().heapUsed;
    return {
      ...base,
      opsPerSec: (ops * 1000) / elapsedMs,
      ops,
      elapsedMs,
      ratioToBaseline: null,
      heapUsedBytes,
    };
  } catch (error) {
    return { ...base, opsPerSec: 0, ops: 0, elapsedMs: 0, ratioToBaseline: null, error: errorText(error) };
  }
}

export const errorText = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
