/**
 * One suite, two backends: PGlite always, PostgreSQL when DATABASE_URL is set
 * (CI sets it; locally e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test).
 * On PostgreSQL every run works in its own schema and drops it afterwards.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { and, eq, gte, lt, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  heightIndexed,
  type OpenDatabaseOptions,
  openDatabase,
  queryRows,
  rebuildFrom,
  type SettlementDatabase,
  schema,
} from "../../settlement-node/db/index.ts";

const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL) {
  console.log(
    "db-settlement: PostgreSQL tests skipped — set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them.",
  );
}

const bytesOf = (seed: number, length = 32) =>
  Uint8Array.from({ length }, (_, i) => (seed * 29 + i * 13) & 0xff);
const TABLE_NAMES = [
  "accounts",
  "blocks",
  "checkpoints",
  "deposits",
  "index_progress",
  "lanes",
  "transactions",
  "validators",
  "withdrawals",
];

/** One row per table, with bytes, bigints and amounts that would break under a float or a 64-bit integer. */
const rows = {
  blocks: {
    height: 42n,
    hash: bytesOf(1),
    timeMs: 1_764_000_000_123n,
    proposer: bytesOf(2, 20),
    countTransactions: 3,
  },
  transactions: {
    hash: bytesOf(3),
    height: 42n,
    indexInBlock: 0,
    kind: "transfer",
    sender: bytesOf(4, 20),
    status: "rejected" as const,
    codeRejection: 7,
  },
  accounts: { address: bytesOf(5, 20), balance: 2n ** 200n + 12_345n, nonce: 2n ** 63n - 1n },
  validators: {
    address: bytesOf(6, 20),
    publicKey: bytesOf(7),
    stake: 10n ** 30n,
    status: "jailed" as const,
  },
  lanes: {
    id: 4_294_967_295,
    sequencer: bytesOf(8, 20),
    escrow: 2n ** 64n + 1n,
    bond: 5n,
    challengeWindowBlocks: 600n,
    frozen: 0,
  },
  checkpoints: {
    lane: 1,
    indexInLane: 9n,
    rootPrevious: bytesOf(9),
    rootNew: bytesOf(10),
    batchHash: bytesOf(11),
    status: "settled" as const,
    heightSettled: 42n,
    heightFinal: 642n,
  },
  withdrawals: {
    id: bytesOf(12),
    lane: 1,
    recipient: bytesOf(13, 20),
    amount: 10n ** 78n - 1n,
    status: "provable" as const,
    heightRequested: 40n,
  },
  deposits: {
    id: bytesOf(14),
    lane: 2,
    sender: bytesOf(15, 20),
    recipient: bytesOf(16, 20),
    amount: 1n,
    status: "credited" as const,
    height: 41n,
  },
};

type Backend = {
  name: string;
  skip: boolean;
  options: () => OpenDatabaseOptions;
  cleanup: () => Promise<void>;
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-db-"));
const pgSchema = `test_${process.pid}_${Date.now().toString(36)}`;

const backends: Backend[] = [
  {
    name: "PGlite",
    skip: false,
    options: () => ({ dataDir: path.join(tmp, "pglite") }),
    cleanup: async () => fs.rmSync(tmp, { recursive: true, force: true }),
  },
  {
    name: "PostgreSQL (DATABASE_URL)",
    skip: !DATABASE_URL,
    options: () => ({ url: DATABASE_URL!, schemaName: pgSchema, connectionsMax: 2 }),
    cleanup: async () => {
      const admin = postgres(DATABASE_URL!, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop schema if exists "${pgSchema}" cascade`);
      await admin.end();
    },
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`settlement database on ${backend.name}`, () => {
    let database: SettlementDatabase;
    beforeAll(async () => {
      database = await openDatabase(backend.options());
    });
    afterAll(async () => {
      await database?.close();
      await backend.cleanup();
    });

    it("applies the migrations to a fresh database, and reapplying them is a no-op", async () => {
      const listTables = async (db: SettlementDatabase) => {
        const rows = await queryRows<{ table_name: string }>(
          db.db,
          sql`select table_name from information_schema.tables where table_schema = ${db.schemaName} and table_type = 'BASE TABLE' order by table_name`,
        );
        return rows.map((r) => r.table_name);
      };
      expect((await listTables(database)).filter((t) => !t.startsWith("__drizzle"))).toEqual(TABLE_NAMES);
      await database.close();
      database = await openDatabase(backend.options());
      expect((await listTables(database)).filter((t) => !t.startsWith("__drizzle"))).toEqual(TABLE_NAMES);
    });

    it("reads back every row exactly as written, bytes and bigints included", async () => {
      const { db } = database;
      await db.insert(schema.blocks).values(rows.blocks);
      await db.insert(schema.transactions).values(rows.transactions);
      await db.insert(schema.accounts).values(rows.accounts);
      await db.insert(schema.validators).values(rows.validators);
      await db.insert(schema.lanes).values(rows.lanes);
      await db.insert(schema.checkpoints).values(rows.checkpoints);
      await db.insert(schema.withdrawals).values(rows.withdrawals);
      await db.insert(schema.deposits).values(rows.deposits);
      expect(await db.select().from(schema.blocks)).toEqual([rows.blocks]);
      expect(await db.select().from(schema.transactions)).toEqual([rows.transactions]);
      expect(await db.select().from(schema.accounts)).toEqual([rows.accounts]);
      expect(await db.select().from(schema.validators)).toEqual([rows.validators]);
      expect(await db.select().from(schema.lanes)).toEqual([rows.lanes]);
      expect(await db.select().from(schema.checkpoints)).toEqual([rows.checkpoints]);
      expect(await db.select().from(schema.withdrawals)).toEqual([rows.withdrawals]);
      expect(await db.select().from(schema.deposits)).toEqual([rows.deposits]);
      const [found] = await db
        .select()
        .from(schema.accounts)
        .where(eq(schema.accounts.address, rows.accounts.address));
      expect(found?.balance).toBe(rows.accounts.balance);
    });

    it("keeps amounts beyond 2^64 exact, in storage and in SQL arithmetic", async () => {
      const { db } = database;
      const amounts = [2n ** 64n, 2n ** 64n + 1n, 2n ** 128n - 1n, 2n ** 255n + 3n, 10n ** 78n - 1n];
      const accounts = amounts.map((balance, i) => ({
        address: bytesOf(100 + i, 20),
        balance,
        nonce: BigInt(i),
      }));
      await db.insert(schema.accounts).values(accounts);
      const stored = await db
        .select({ balance: schema.accounts.balance })
        .from(schema.accounts)
        // Column-aware operators send the bound as numeric text; a bare bigint in sql`` goes out as int8.
        .where(
          and(lt(schema.accounts.nonce, BigInt(amounts.length)), gte(schema.accounts.balance, 2n ** 64n)),
        )
        .orderBy(schema.accounts.nonce);
      expect(stored.map((r) => r.balance)).toEqual(amounts);
      // 2^64 + 1 - 2^64 is 1 only if the database never went through a double.
      const [diff] = await queryRows<{ d: string }>(
        db,
        sql`select (${String(2n ** 64n + 1n)}::numeric - ${String(2n ** 64n)}::numeric)::text as d`,
      );
      expect(diff?.d).toBe("1");
      await db
        .update(schema.accounts)
        .set({ balance: sql`${schema.accounts.balance} + 1` })
        .where(eq(schema.accounts.address, accounts[0]!.address));
      const [bumped] = await db
        .select()
        .from(schema.accounts)
        .where(eq(schema.accounts.address, accounts[0]!.address));
      expect(bumped?.balance).toBe(2n ** 64n + 1n);
    });

    it("rejects a status outside the finality ladder", async () => {
      await expect(
        database.db
          .insert(schema.checkpoints)
          .values({ ...rows.checkpoints, indexInLane: 10n, status: "almost" as "final" }),
      ).rejects.toThrow();
    });

    it("rebuilds the derived tables from a block stream, recording the height reached", async () => {
      async function* blockStream() {
        for (let height = 1n; height <= 5n; height++) yield { height, hash: bytesOf(Number(height) + 200) };
      }
      const result = await rebuildFrom(
        database.db,
        blockStream(),
        async (tx, block) => {
          await tx.insert(schema.blocks).values({
            height: block.height,
            hash: block.hash,
            timeMs: block.height * 1000n,
            proposer: bytesOf(0, 20),
            countTransactions: 0,
          });
        },
        { blocksPerTransaction: 2 },
      );
      expect(result).toEqual({ countBlocks: 5, heightLast: 5n });
      expect((await database.db.select().from(schema.blocks)).map((b) => b.height)).toEqual([
        1n,
        2n,
        3n,
        4n,
        5n,
      ]);
      expect(await database.db.select().from(schema.accounts)).toEqual([]);
      expect(await heightIndexed(database.db)).toBe(5n);
    });
  });
}

describe("PGlite data directory", () => {
  it("keeps its data across a close and reopen", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-pglite-reopen-"));
    try {
      const first = await openDatabase({ dataDir });
      await first.db.insert(schema.accounts).values(rows.accounts);
      await first.close();
      const second = await openDatabase({ dataDir });
      expect(await second.db.select().from(schema.accounts)).toEqual([rows.accounts]);
      await second.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
