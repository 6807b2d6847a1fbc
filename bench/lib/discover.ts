import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { BASELINE_ID, type BenchCase, type BenchRuntime, type CaseModule } from "./types.ts";

export const CASES_DIR = join(import.meta.dirname, "..", "cases");

export const caseId = (area: string, c: BenchCase) => `${area}/${c.name}`;
export const runsIn = (c: BenchCase, runtime: BenchRuntime) => !c.runtimes || c.runtimes.includes(runtime);

/** Every bench/cases/<area>.ts, imported in Node, sorted by area. */
export async function loadCaseModules(dir = CASES_DIR): Promise<CaseModule[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .sort();
  const modules: CaseModule[] = [];
  for (const f of files) {
    const file = join(dir, f);
    const mod = (await import(pathToFileURL(file).href)) as { cases?: BenchCase[] };
    if (!Array.isArray(mod.cases)) throw new Error(`${file} does not export \`cases: BenchCase[]\``);
    const area = basename(f, ".ts");
    const seen = new Set<string>();
    for (const c of mod.cases) {
      if (seen.has(c.name)) throw new Error(`${file}: duplicate case name ${JSON.stringify(c.name)}`);
      if (!(Number.isInteger(c.n) && c.n > 0))
        throw new Error(`${caseId(area, c)}: n must be a positive integer`);
      seen.add(c.name);
    }
    modules.push({ area, file, cases: mod.cases });
  }
  return modules;
}

export type SelectedCase = { id: string; area: string; case: BenchCase };

/**
 * The cases to run in one runtime: those matching the filter (substring of
 * the id), plus the baseline B_v whenever it exists, so ratios are always
 * against a verify measured in the same run and runtime.
 */
export function selectCases(
  modules: CaseModule[],
  runtime: BenchRuntime,
  filter: string | null,
): SelectedCase[] {
  const out: SelectedCase[] = [];
  for (const m of modules) {
    for (const c of m.cases) {
      const id = caseId(m.area, c);
      if (!runsIn(c, runtime)) continue;
      if (filter === null || id.includes(filter) || id === BASELINE_ID)
        out.push({ id, area: m.area, case: c });
    }
  }
  // Baseline first: it is measured before the machine warms up with other work.
  return out.sort((a, b) => Number(b.id === BASELINE_ID) - Number(a.id === BASELINE_ID));
}
