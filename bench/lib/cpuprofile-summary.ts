/**
 * Self and inclusive time per function of a V8 CPU profile (.cpuprofile, or
 * the Profiler.stop answer of an inspector): bench/lib/cpuprofile-top.ts and
 * bench/edge/profile.ts print it.
 */
export type CpuProfile = {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
};

export type SummaryOptions = {
  /** Rows per table. */
  count: number;
  /** Only the samples of the profile's final `lastMs` milliseconds. */
  lastMs?: number;
  inclusive: boolean;
  /** How a script's URL is shown (default: as it is). */
  urlLabel?: (url: string) => string;
};

export function summarizeProfile(profile: CpuProfile, o: SummaryOptions): string {
  const times: number[] = [];
  let clock = 0;
  for (const d of profile.timeDeltas) times.push((clock += d));
  const fromUs = o.lastMs === undefined ? -Infinity : clock - o.lastMs * 1000;
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries())
    if (times[i]! >= fromUs) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = o.urlLabel ?? ((url: string) => url);
  const keyOf = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || "(anon)"} ${label(f.url)}:${f.lineNumber + 1}`;
  };

  const byFn = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, t] of self) {
    total += t;
    byFn.set(keyOf(id), (byFn.get(keyOf(id)) ?? 0) + t);
    // Inclusive: each function on the sample's stack once (recursion counts once).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(cur);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + t);
    }
  }
  const table = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, o.count)
      .map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join("\n");
  const lines = [`self time (${(total / 1000).toFixed(0)} ms sampled):`, table(byFn)];
  if (o.inclusive) lines.push("", "inclusive time:", table(inclusive));
  return lines.join("\n");
}
