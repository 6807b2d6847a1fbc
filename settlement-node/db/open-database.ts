/**
 * Opens the validator's database and brings its schema up to date.
 *
 *   openDatabase({ dataDir })  — embedded PGlite, one data directory per validator (default)
 *   openDatabase({ url })      — PostgreSQL through postgres.js (production: DATABASE_URL)
 *
 * Both run the same SQL migrations (migrations/settlement/) with drizzle's
 * migrator for that driver, and return the same drizzle Postgres-dialect API.
 * PGlite on Node never fsyncs: the database is derived state, rebuilt from the
 * block store (reindex.ts), never the source of truth. A new PGlite directory
 * starts from a cached, migrated template (pglite-template.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { BitlayerError } from "../../shared/errors.ts";
import { holdsDatabase, readTemplate, saveTemplate, templatePath } from "./pglite-template.ts";
import * as schema from "./schema.ts";

export const MIGRATIONS_FOLDER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../migrations/settlement",
);

export type SettlementSchema = typeof schema;
/** The drizzle API both drivers share. */
export type SettlementDb = PgDatabase<PgQueryResultHKT, SettlementSchema>;

export type OpenDatabaseOptions =
  | {
      /** PGlite data directory; created if missing. */
      dataDir: string;
    }
  | {
      /** postgres:// URL, e.g. process.env.DATABASE_URL. */
      url: string;
      /**
       * Postgres schema holding the tables and the migrations journal; created
       * if missing. Lets several validators (or test runs) share one database.
       */
      schemaName?: string;
      connectionsMax?: number;
    };

export type SettlementDatabase = {
  db: SettlementDb;
  driver: "pglite" | "postgres";
  /** The Postgres schema in use. */
  schemaName: string;
  close(): Promise<void>;
};

export type DatabaseOpenErrorType = DatabaseOpenError;
export class DatabaseOpenError extends BitlayerError {
  override name = "DatabaseOpenError" as const;
  constructor(message: string, cause: unknown) {
    super(message, {
      cause,
      details: cause instanceof Error ? cause.message : String(cause),
      docsPath: "storage.md",
    });
  }
}

/**
 * Rows of a raw SQL query on either driver: PGlite answers `{ rows }`,
 * postgres.js an array. Pass big amounts as text with a `::numeric` cast: a
 * bare bigint parameter goes out as int8 and fails above 2^63.
 */
export async function queryRows<Row>(
  db: { execute(query: SQL): PromiseLike<unknown> },
  query: SQL,
): Promise<Row[]> {
  const result = await db.execute(query);
  return Array.isArray(result) ? (result as Row[]) : (result as { rows: Row[] }).rows;
}

const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(options: OpenDatabaseOptions): Promise<SettlementDatabase> {
  return "dataDir" in options ? openPglite(options.dataDir) : openPostgres(options);
}

async function openPglite(dataDir: string): Promise<SettlementDatabase> {
  // A new directory starts from the migrated template when there is one (pglite-template.ts).
  const template = holdsDatabase(dataDir) ? null : templatePath(MIGRATIONS_FOLDER);
  const dump = template ? readTemplate(template) : null;
  let client: PGlite;
  let loaded = false;
  try {
    if (dump) ({ client, loaded } = await createFromTemplate(dataDir, dump, template!));
    else client = await PGlite.create({ dataDir });
  } catch (e) {
    throw new DatabaseOpenError(`Cannot open the PGlite data directory ${dataDir}.`, e);
  }
  const db = drizzlePglite({ client, schema });
  try {
    await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (e) {
    await client.close();
    throw new DatabaseOpenError(`Migrating the PGlite database in ${dataDir} failed.`, e);
  }
  if (template && !loaded) await saveTemplate(client, template);
  return {
    db: db as unknown as SettlementDb,
    driver: "pglite",
    schemaName: "public",
    close: () => client.close(),
  };
}

/**
 * A new data directory from the template; a template that does not load
 * (truncated, say) is deleted, what it left in the directory removed, and
 * the directory made by initdb instead.
 */
async function createFromTemplate(
  dataDir: string,
  dump: Blob,
  template: string,
): Promise<{ client: PGlite; loaded: boolean }> {
  const before = new Set(fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : []);
  try {
    return { client: await PGlite.create({ dataDir, loadDataDir: dump }), loaded: true };
  } catch {
    fs.rmSync(template, { force: true });
    for (const name of fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : [])
      if (!before.has(name)) fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
    return { client: await PGlite.create({ dataDir }), loaded: false };
  }
}

async function openPostgres(options: { url: string; schemaName?: string; connectionsMax?: number }) {
  const schemaName = options.schemaName ?? "public";
  if (!SCHEMA_NAME_PATTERN.test(schemaName)) {
    throw new DatabaseOpenError(`Invalid Postgres schema name "${schemaName}".`, "use [a-z_][a-z0-9_]*");
  }
  const client = postgres(options.url, {
    max: options.connectionsMax ?? 4,
    onnotice: () => {},
    connection: { search_path: schemaName },
  });
  const db = drizzlePostgres({ client, schema });
  try {
    await client.unsafe(`create schema if not exists "${schemaName}"`);
    await migratePostgres(db, {
      migrationsFolder: MIGRATIONS_FOLDER,
      // The default journal schema is "drizzle"; keep it next to the tables so each schema migrates on its own.
      migrationsSchema: schemaName,
    });
  } catch (e) {
    await client.end({ timeout: 5 });
    throw new DatabaseOpenError(`Opening PostgreSQL (schema "${schemaName}") failed.`, e);
  }
  const database: SettlementDatabase = {
    db: db as unknown as SettlementDb,
    driver: "postgres",
    schemaName,
    close: () => client.end({ timeout: 5 }),
  };
  return database;
}
