/**
 * `bitlayer-settlement reindex --config F`: rebuilds every derived table of
 * the validator's database (blocks, transactions, accounts, validators,
 * lanes, checkpoints, deposits, withdrawals) by replaying the block store
 * through a fresh ledger from genesis. The node must be stopped (the data
 * directory lock is taken).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { installNodeVerifier } from "../crypto/node-verifier.ts";
import { loadConfig } from "../config/config.ts";
import { reindex as rebuild } from "../indexer/indexer.ts";
import { nodeLedgerFactory, openIndexDatabase } from "../node/db-index.ts";
import { acquireDataDirLock, BlockStore } from "../storage/index.ts";

export async function reindex(
  configFile: string,
): Promise<{ countBlocks: number; heightLast: bigint | null }> {
  installNodeVerifier();
  const loaded = loadConfig(configFile);
  const db = loaded.config.database;
  if (db.kind === "none")
    throw new Error("This validator has no database (database.kind = none): nothing to rebuild.");
  if (db.kind === "postgres" && !process.env[db.urlEnv])
    throw new Error(`The config asks for PostgreSQL through $${db.urlEnv}, which is not set.`);
  fs.mkdirSync(loaded.dataDir, { recursive: true });
  const lock = acquireDataDirLock(loaded.dataDir);
  const blocks = BlockStore.open({ dir: path.join(loaded.dataDir, "blocks") });
  try {
    const database = await openIndexDatabase(
      db.kind === "pglite"
        ? { kind: "pglite", dataDir: path.join(loaded.dataDir, "db") }
        : { kind: "postgres", url: process.env[db.urlEnv]!, schema: db.schema },
    );
    try {
      return await rebuild(blocks, database!.db, nodeLedgerFactory(loaded.genesis));
    } finally {
      await database!.close();
    }
  } finally {
    blocks.close();
    lock.release();
  }
}
