/**
 * Proves the purity lint of biome.json (DESIGN.md: no clocks, no ambient
 * entropy, no runtime imports in the pure core) works: each forbidden
 * construct placed in the core is reported, a clean file passes, the same
 * constructs outside the core pass, and the real core has no violation.
 *
 * Snippets are linted as files in a scratch copy of the project root that
 * holds the real biome.json: `biome lint --stdin-file-path` applies the
 * path overrides but by design prints no diagnostics in stdin mode (and
 * exits 1 even for clean input, biomejs/biome#3726, #4045), so it cannot tell
 * one rule from another. The stdin path is still checked below for the one
 * thing it can show: a core snippet comes back unchanged (lint never rewrites).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;
const BIOME = join(ROOT, "node_modules/.bin/biome");

/** The rules biome.json configures for shared/** and settlement-node/consensus/**. */
const PURITY_RULES = [
  "lint/style/noRestrictedGlobals",
  "lint/style/noRestrictedImports",
  "lint/nursery/noJsRestrictedProperties",
];

type Diagnostic = { category: string; message: string; location: { path: string | null } };

function biomeJson(args: string[], cwd: string): { diagnostics: Diagnostic[]; summary: { errors: number } } {
  const run = spawnSync(BIOME, ["lint", "--reporter=json", "--max-diagnostics=none", ...args], {
    cwd,
    encoding: "utf8",
  });
  if (run.error) throw run.error;
  const line = run.stdout.split("\n").find((l) => l.startsWith("{"));
  if (!line) throw new Error(`biome printed no JSON report:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line);
}

const violations: Record<string, string> = {
  "Date.now()": "export const nowMs = Date.now();",
  "new Date()": "export const at = new Date();",
  "performance.now()": "export const t = performance.now();",
  "Math.random()": "export const coin = Math.random() < 0.5;",
  setTimeout: "setTimeout(() => {}, 10);",
  setInterval: "setInterval(() => {}, 10);",
  "process.env": "export const url = process.env.DATABASE_URL;",
  Buffer: 'export const b = Buffer.from("ab");',
  fetch: 'export const r = fetch("https://example.com");',
  'import from "node:fs"': 'import { readFileSync } from "node:fs";\nexport const f = readFileSync;',
  'import from "crypto"': 'import { randomBytes } from "crypto";\nexport const r = randomBytes;',
  'import from "cloudflare:workers"':
    'import { DurableObject } from "cloudflare:workers";\nexport const D = DurableObject;',
  "crypto.getRandomValues": "export const seed = crypto.getRandomValues(new Uint8Array(32));",
  "crypto.randomUUID": "export const id = crypto.randomUUID();",
};

const clean = [
  'import { sha256 } from "@noble/hashes/sha2.js";',
  "/** Time and randomness arrive as arguments. */",
  "export function step(nowMs: bigint, seed: Uint8Array): Uint8Array {",
  "  const digest = sha256(seed);",
  "  return nowMs > 0n ? digest : seed;",
  "}",
].join("\n");

const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "");

describe("purity lint (biome.json overrides for the pure core)", () => {
  let scratch = "";
  let byPath = new Map<string, Diagnostic[]>();

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "bitlayer-lint-"));
    copyFileSync(join(ROOT, "biome.json"), join(scratch, "biome.json"));
    for (const dir of ["shared", "settlement-node/consensus", "workers"])
      mkdirSync(join(scratch, dir), { recursive: true });
    const files: Record<string, string> = { "shared/clean.ts": clean, "workers/clean.ts": clean };
    for (const [name, code] of Object.entries(violations)) {
      files[`shared/${slug(name)}.ts`] = code;
      files[`settlement-node/consensus/${slug(name)}.ts`] = code;
      files[`workers/${slug(name)}.ts`] = code;
    }
    for (const [path, code] of Object.entries(files)) writeFileSync(join(scratch, path), `${code}\n`);
    const report = biomeJson(["."], scratch);
    byPath = new Map();
    for (const d of report.diagnostics) {
      const path = (d.location.path ?? "").replace(/^\.\//, "");
      byPath.set(path, [...(byPath.get(path) ?? []), d]);
    }
  });

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const purityHits = (path: string) =>
    (byPath.get(path) ?? []).filter((d) => PURITY_RULES.includes(d.category));

  for (const name of Object.keys(violations)) {
    it(`reports ${name} in shared/ and in settlement-node/consensus/`, () => {
      expect(purityHits(`shared/${slug(name)}.ts`).length).toBeGreaterThan(0);
      expect(purityHits(`settlement-node/consensus/${slug(name)}.ts`).length).toBeGreaterThan(0);
    });

    it(`allows ${name} outside the core (workers/)`, () => {
      expect(purityHits(`workers/${slug(name)}.ts`)).toEqual([]);
    });
  }

  it("passes a clean core file that takes time and randomness as arguments, with no diagnostic at all", () => {
    expect(byPath.get("shared/clean.ts") ?? []).toEqual([]);
    expect(byPath.get("workers/clean.ts") ?? []).toEqual([]);
  });

  it("names the reason in the message of each rule", () => {
    const messages = purityHits("shared/Math-random.ts").map((d) => d.message);
    expect(messages.join("\n")).toMatch(/random|entropy/i);
  });

  it("leaves a core snippet unchanged in stdin mode under shared/probe.ts and workers/probe.ts", () => {
    for (const path of ["shared/probe.ts", "workers/probe.ts"]) {
      const run = spawnSync(BIOME, ["lint", `--stdin-file-path=${path}`], {
        cwd: ROOT,
        input: `${violations["Date.now()"]}\n`,
        encoding: "utf8",
      });
      expect(run.stdout).toBe(`${violations["Date.now()"]}\n`);
    }
  });
});

describe("the real core obeys the purity rules", () => {
  it("biome lint shared settlement-node/consensus reports no purity violation", () => {
    const targets = ["shared", "settlement-node/consensus"].filter((dir) => existsSync(join(ROOT, dir)));
    const report = biomeJson(targets, ROOT);
    const hits = report.diagnostics
      .filter((d) => PURITY_RULES.includes(d.category))
      .map((d) => `${d.location.path}: ${d.category}: ${d.message}`);
    expect(hits).toEqual([]);
  });
});
