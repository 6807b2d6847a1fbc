/** `bitlayer-settlement reindex --config F`: rebuilds the database from the block store (the node must be stopped). */
import * as path from "node:path";
import { installNodeVerifier } from "../crypto/node-verifier.ts";
import { loadConfig } from "../config/config.ts";
import { rebuildFrom } from "../db/index.ts";
import { SettlementChain } from "../node/chain.ts";
import { indexBlock, openIndexDatabase } from "../node/db-index.ts";
import { acquireDataDirLock, BlockStore } from "../storage/index.ts";

export async function reindex(
  configFile: string,
): Promise<{ countBlocks: number; heightLast: bigint | null }> {
  installNodeVerifier();
  const loaded = loadConfig(configFile);
  const db = loaded.config.database;
  if (db.kind === "none")
    throw new Error("This validator has no database (database.kind = none): nothing to rebuild.");
  const lock = acquireDataDirLock(loaded.dataDir);
  const blocks = BlockStore.open({ dir: path.join(loaded.dataDir, "blocks") });
  const database = await openIndexDatabase(
    db.kind === "pglite"
      ? { kind: "pglite", dataDir: path.join(loaded.dataDir, "db") }
      : { kind: "postgres", url: process.env[db.urlEnv] ?? "", schema: db.schema },
  );
  try {
    const chain = new SettlementChain(loaded.genesis);
    async function* committed() {
      for await (const stored of blocks.blocksFrom(0n)) yield await chain.commit(stored.block);
    }
    return await rebuildFrom(database!.db, committed(), indexBlock);
  } finally {
    await database!.close();
    blocks.close();
    lock.release();
  }
}
