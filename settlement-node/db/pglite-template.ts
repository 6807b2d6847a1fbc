/**
 * A migrated, empty PGlite database kept as a tarball, to start new data
 * directories from.
 *
 * A new PGlite data directory runs initdb in WebAssembly: about 5 s of CPU
 * (3 s wall on an idle core), which four validators starting together on two
 * cores pay at once — most of a fresh devnet's start. Loading the same
 * database from a dump takes under a second. The first fresh directory on a
 * machine is built the slow way and dumped (after the migrations, so the
 * dump already holds them); later ones load the dump. The dump's name
 * carries a hash of the PGlite version and of every migration file, so a
 * changed schema or engine never loads a stale one.
 *
 * Only a cache: any failure to read or write it falls back to initdb, and an
 * existing data directory is never touched. The directory is
 * $BITLAYER_CACHE_DIR, else node_modules/.cache/bitlayer.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function pgliteCacheDir(): string {
  return process.env.BITLAYER_CACHE_DIR ?? path.join(ROOT, "node_modules/.cache/bitlayer");
}

/** True when `dataDir` already holds a PostgreSQL cluster (initdb wrote PG_VERSION). */
export function holdsDatabase(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, "PG_VERSION"));
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** The installed PGlite's package.json text (its exports do not include it: found from the entry file). */
function pglitePackageJson(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.resolve("@electric-sql/pglite"))); ; ) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const text = fs.readFileSync(file, "utf8");
      if ((JSON.parse(text) as { name?: string }).name === "@electric-sql/pglite") return text;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error("@electric-sql/pglite's package.json not found");
    dir = up;
  }
}

/**
 * Where the template for this PGlite version and these migrations lives;
 * null when that cannot be worked out (then no template is used).
 */
export function templatePath(migrationsFolder: string): string | null {
  try {
    const hash = createHash("sha256");
    hash.update(pglitePackageJson());
    for (const file of filesUnder(migrationsFolder)) {
      hash.update(`\n${path.relative(migrationsFolder, file)}\n`);
      hash.update(fs.readFileSync(file));
    }
    return path.join(pgliteCacheDir(), `pglite-template-${hash.digest("hex").slice(0, 16)}.tar`);
  } catch {
    return null;
  }
}

/** The template's bytes, or null when there is none (yet) or it cannot be read. */
export function readTemplate(file: string): Blob | null {
  try {
    return new Blob([fs.readFileSync(file)]);
  } catch {
    return null;
  }
}

/**
 * Dumps `client` (a fresh, migrated database) as the template, unless one
 * exists. Written under a temporary name and renamed, so a reader never sees
 * a partial file and validators starting together may all write it.
 */
export async function saveTemplate(client: PGlite, file: string): Promise<void> {
  if (fs.existsSync(file)) return;
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const dump = await client.dumpDataDir("none");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, new Uint8Array(await dump.arrayBuffer()));
    fs.renameSync(tmp, file);
  } catch {
    // A cache only: the next fresh directory runs initdb again.
    fs.rmSync(tmp, { force: true });
  }
}
