/**
 * New PGlite data directories start from a cached, migrated template
 * (settlement-node/db/pglite-template.ts): the first fresh directory writes
 * it; the next is a copy of it, with the same schema and migration journal; an
 * existing directory keeps its data; a template that does not load is
 * deleted and the directory is made by initdb instead, then a good template
 * is written again.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_FOLDER, openDatabase, queryRows } from "../../settlement-node/db/index.ts";
import { templatePath } from "../../settlement-node/db/pglite-template.ts";

let dir: string;
let cacheBefore: string | undefined;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-pglite-template-"));
  cacheBefore = process.env.BITLAYER_CACHE_DIR;
  process.env.BITLAYER_CACHE_DIR = path.join(dir, "cache");
});
afterAll(() => {
  if (cacheBefore === undefined) delete process.env.BITLAYER_CACHE_DIR;
  else process.env.BITLAYER_CACHE_DIR = cacheBefore;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function schemaOf(dataDir: string) {
  const db = await openDatabase({ dataDir });
  try {
    const tables = await queryRows<{ name: string }>(
      db.db,
      sql`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    const migrations = await queryRows<{ n: number }>(
      db.db,
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    );
    return { tables: tables.map((t) => t.name), migrations: migrations[0]!.n };
  } finally {
    await db.close();
  }
}

describe("PGlite template", () => {
  it("is written by the first fresh directory and gives the next one the same migrated schema", async () => {
    const template = templatePath(MIGRATIONS_FOLDER)!;
    expect(template.startsWith(path.join(dir, "cache"))).toBe(true);
    expect(fs.existsSync(template)).toBe(false);
    const first = await schemaOf(path.join(dir, "a"));
    expect(fs.existsSync(template)).toBe(true);
    const second = await schemaOf(path.join(dir, "b"));
    expect(second).toEqual(first);
    expect(first.tables).toContain("blocks");
    expect(first.migrations).toBeGreaterThan(0);
  });

  it("a fresh directory is a copy of the template, not a new initdb", async () => {
    const template = templatePath(MIGRATIONS_FOLDER)!;
    const good = fs.readFileSync(template);
    // A template with a marker table: only a directory loaded from it has the table.
    const marked = await openDatabase({ dataDir: path.join(dir, "marked") });
    await marked.db.execute(sql`create table template_marker (v int)`);
    const client = (marked.db as unknown as { $client: PGlite }).$client;
    fs.writeFileSync(template, new Uint8Array(await (await client.dumpDataDir("none")).arrayBuffer()));
    await marked.close();
    try {
      expect((await schemaOf(path.join(dir, "copy"))).tables).toContain("template_marker");
    } finally {
      fs.writeFileSync(template, good);
    }
  });

  it("never touches a directory that already holds a database", async () => {
    const dataDir = path.join(dir, "c");
    const db = await openDatabase({ dataDir });
    await db.db.execute(sql`create table kept (v int)`);
    await db.db.execute(sql`insert into kept values (42)`);
    await db.close();
    const again = await openDatabase({ dataDir });
    try {
      expect(await queryRows<{ v: number }>(again.db, sql`select v from kept`)).toEqual([{ v: 42 }]);
    } finally {
      await again.close();
    }
  });

  it("a template that does not load is replaced, and the directory is made by initdb", async () => {
    const template = templatePath(MIGRATIONS_FOLDER)!;
    const good = fs.readFileSync(template);
    fs.writeFileSync(template, good.subarray(0, 4096));
    const rebuilt = await schemaOf(path.join(dir, "d"));
    expect(rebuilt).toEqual(await schemaOf(path.join(dir, "a")));
    expect(fs.statSync(template).size).toBe(good.length);
  });
});
