/**
 * The settlement indexer against PGlite always and PostgreSQL when
 * DATABASE_URL is set (own schema per run, dropped afterwards): blocks of
 * real signed transactions are indexed as they commit, re-indexing a height
 * changes nothing, and reindex from the block store gives identical rows.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { asc, eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  InMemorySettlementBackend,
  signCheckpoint,
  signSettlementTx,
  testKeyPair,
  testLedgerFactory,
  testNetwork,
} from "../../settlement-node/api/testing.ts";
import {
  heightIndexed,
  type OpenDatabaseOptions,
  openDatabase,
  type SettlementDatabase,
  schema,
} from "../../settlement-node/db/index.ts";
import { truncateDerivedTables } from "../../settlement-node/db/reindex.ts";
import {
  blockProjection,
  type CommittedBlock,
  indexCommittedBlock,
  indexProjections,
  reindex,
  withdrawalRowId,
} from "../../settlement-node/indexer/index.ts";
import { sqlLiteral } from "../../settlement-node/indexer/projection-sql.ts";
import { DatabaseIndexer } from "../../settlement-node/node/db-index.ts";
import { accountAddressOf } from "../../settlement-node/ledger/address.ts";
import { Books } from "../../settlement-node/ledger/books.ts";
import { checkpointPayload } from "../../settlement-node/ledger/harness.ts";
import { BlockStore } from "../../settlement-node/storage/index.ts";

const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL)
  console.log(
    "indexer-settlement: PostgreSQL tests skipped — set DATABASE_URL to run them against PostgreSQL.",
  );

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-indexer-"));

/** The node's indexer: PGlite on its worker thread, in a fresh directory under tmp. */
async function openWorkerIndexer(dir: string, options?: { writeIntervalMs?: number }) {
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  return (await DatabaseIndexer.open({ kind: "pglite", dataDir: path.join(tmp, dir) }, quiet, options))!;
}
const pgSchema = `indexer_${process.pid}_${Date.now().toString(36)}`;
const backends: {
  name: string;
  skip: boolean;
  options: () => OpenDatabaseOptions;
  drop: () => Promise<void>;
}[] = [
  {
    name: "PGlite",
    skip: false,
    options: () => ({ dataDir: path.join(tmp, "pglite") }),
    drop: async () => {},
  },
  {
    name: "PostgreSQL (DATABASE_URL)",
    skip: !DATABASE_URL,
    options: () => ({ url: DATABASE_URL!, schemaName: pgSchema, connectionsMax: 2 }),
    drop: async () => {
      const admin = postgres(DATABASE_URL!, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop schema if exists "${pgSchema}" cascade`);
      await admin.end();
    },
  },
];

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every derived row, in primary-key order. */
async function dump(db: SettlementDatabase["db"]) {
  return {
    blocks: await db.select().from(schema.blocks).orderBy(asc(schema.blocks.height)),
    transactions: await db.select().from(schema.transactions).orderBy(asc(schema.transactions.hash)),
    accounts: await db.select().from(schema.accounts).orderBy(asc(schema.accounts.address)),
    validators: await db.select().from(schema.validators).orderBy(asc(schema.validators.address)),
    lanes: await db.select().from(schema.lanes).orderBy(asc(schema.lanes.id)),
    checkpoints: await db
      .select()
      .from(schema.checkpoints)
      .orderBy(asc(schema.checkpoints.lane), asc(schema.checkpoints.indexInLane)),
    withdrawals: await db.select().from(schema.withdrawals).orderBy(asc(schema.withdrawals.id)),
    deposits: await db.select().from(schema.deposits).orderBy(asc(schema.deposits.id)),
    progress: await heightIndexed(db),
  };
}

for (const backend of backends) {
  describe.skipIf(backend.skip)(`settlement indexer on ${backend.name}`, () => {
    const network = testNetwork();
    const [alice, bob] = network.accounts as [(typeof network.accounts)[0], (typeof network.accounts)[0]];
    const sequencer = testKeyPair("sequencer");
    const committed: CommittedBlock[] = [];
    let database: SettlementDatabase;
    let store: BlockStore;
    let chain: InMemorySettlementBackend;

    beforeAll(async () => {
      database = await openDatabase(backend.options());
      store = BlockStore.open({ dir: path.join(tmp, `blocks-${backend.name.length}`) });
      chain = new InMemorySettlementBackend({
        network,
        blockStore: store,
        onCommit: async (block) => {
          committed.push(block);
          expect(await indexCommittedBlock(database.db, block)).toBe(true);
        },
      });
      const id = chain.chainId;
      const submit = async (tx: Uint8Array) => expect((await chain.submitTx(tx)).accepted).toBe(true);
      await submit(
        signSettlementTx(id, alice, 0n, {
          type: "transfer",
          to: accountAddressOf(bob.publicKey),
          amount: 250n,
        }),
      );
      await submit(
        signSettlementTx(id, bob, 0n, {
          type: "openLane",
          sequencer: sequencer.publicKey,
          bond: 500n,
          challengeWindowBlocks: 3n,
          genesisRoot: new Uint8Array(32),
          forcedInclusionBlocks: 3n,
          genesisEscrow: 0n,
        }),
      );
      await chain.commitBlock();
      await submit(
        signSettlementTx(id, alice, 1n, {
          type: "depositToLane",
          lane: 1,
          recipient: new Uint8Array(32).fill(7),
          amount: 1000n,
        }),
      );
      const cp = checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: new Uint8Array(32),
        newRoot: new Uint8Array(32).fill(9),
        sequencer: sequencer.publicKey,
      });
      await submit(signSettlementTx(id, bob, 1n, signCheckpoint(id, sequencer, cp)));
      // A transfer to nobody-funded-yet, and one that the ledger rejects after charging the fee.
      await submit(
        signSettlementTx(id, alice, 2n, {
          type: "transfer",
          to: accountAddressOf(testKeyPair("carol").publicKey),
          amount: 9n,
        }),
      );
      await submit(
        signSettlementTx(id, bob, 2n, {
          type: "transfer",
          to: accountAddressOf(alice.publicKey),
          amount: 10n ** 12n,
        }),
      );
      await chain.commitBlock();
      for (let i = 0; i < 4; i++) await chain.commitBlock();
      store.sync();
    });

    afterAll(async () => {
      store?.close();
      await database?.close();
      await backend.drop();
    });

    it("projects blocks, transactions and the records they changed, equal to ledger state", async () => {
      const rows = await dump(database.db);
      expect(rows.blocks.map((b) => b.height)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
      expect(rows.progress).toBe(6n);
      expect(rows.transactions).toHaveLength(6);
      const rejected = rows.transactions.filter((t) => t.status === "rejected");
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toMatchObject({ kind: "transfer", codeRejection: 11 });
      const books = new Books(chain.ledger().state);
      // Every account row equals the committed ledger state (rewards and fees included).
      for (const a of rows.accounts)
        expect(books.account(a.address)).toEqual({ balance: a.balance, nonce: a.nonce });
      const carol = accountAddressOf(testKeyPair("carol").publicKey);
      expect(rows.accounts.find((a) => a.address.every((b, i) => b === carol[i]))?.balance).toBe(9n);
      expect(rows.validators).toHaveLength(4);
      expect(rows.validators.every((v) => v.status === "active" && v.stake === 10_000n)).toBe(true);
      expect(rows.lanes).toEqual([
        {
          id: 1,
          sequencer: sequencer.publicKey,
          escrow: 1000n,
          bond: 500n,
          challengeWindowBlocks: 3n,
          frozen: 0,
        },
      ]);
      // Posted at height 2 with a 3-block window: final from height 5 on, and the chain is at 6.
      expect(rows.checkpoints).toHaveLength(1);
      expect(rows.checkpoints[0]).toMatchObject({
        lane: 1,
        indexInLane: 0n,
        status: "final",
        heightSettled: 2n,
        heightFinal: 5n,
      });
      expect(rows.deposits).toHaveLength(1);
      expect(rows.deposits[0]).toMatchObject({ lane: 1, amount: 1000n, height: 2n, status: "pending" });
      expect(rows.withdrawals).toEqual([]);
    });

    it("re-indexing an already indexed height is a no-op", async () => {
      const before = await dump(database.db);
      for (const block of committed) expect(await indexCommittedBlock(database.db, block)).toBe(false);
      expect(await dump(database.db)).toEqual(before);
    });

    it("reindex from the block store rebuilds identical rows from scratch", async () => {
      const before = await dump(database.db);
      const result = await reindex(store, database.db, testLedgerFactory(network.genesis), {
        blocksPerTransaction: 4,
      });
      expect(result).toEqual({ countBlocks: 6, heightLast: 6n });
      expect(await dump(database.db)).toEqual(before);
    });

    it("indexing all the blocks' projections in one transaction gives the same rows as one at a time", async () => {
      const before = await dump(database.db);
      await truncateDerivedTables(database.db);
      expect(await indexProjections(database.db, committed.map(blockProjection))).toBe(committed.length);
      expect(await dump(database.db)).toEqual(before);
      // Heights already indexed are skipped.
      expect(await indexProjections(database.db, committed.map(blockProjection))).toBe(0);
      expect(await dump(database.db)).toEqual(before);
    });

    it.skipIf(backend.name !== "PGlite")(
      "the node's indexer (PGlite on its worker thread) writes the same rows and reads them back through its proxy",
      async () => {
        const expected = await dump(database.db);
        const indexer = await openWorkerIndexer("pglite-worker");
        try {
          expect(indexer.heightIndexed).toBe(0n);
          const indexed: bigint[] = [];
          indexer.onIndexed = (h) => indexed.push(h);
          for (const block of committed) indexer.push(block);
          await indexer.idle();
          expect(indexed).toEqual(committed.map((b) => b.height));
          expect(indexer.heightIndexed).toBe(6n);
          expect(indexer.countFailures).toBe(0);
          expect(await dump(indexer.db)).toEqual(expected);
        } finally {
          await indexer.close();
        }
      },
    );

    it.skipIf(backend.name !== "PGlite")(
      "the node's indexer writes a block after a quiet interval at once, and the blocks of one interval in one transaction",
      async () => {
        const indexer = await openWorkerIndexer("pglite-interval", { writeIntervalMs: 60_000 });
        try {
          const indexedUpTo = (height: bigint) =>
            new Promise<void>((resolve) => {
              indexer.onIndexed = (h) => h === height && resolve();
            });
          const first = indexedUpTo(1n);
          indexer.push(committed[0]!);
          await first;
          expect(indexer.countWrites).toBe(1);
          for (const block of committed.slice(1)) indexer.push(block);
          await new Promise((r) => setTimeout(r, 200));
          // Within the interval: queued, not written.
          expect(indexer.heightIndexed).toBe(1n);
          expect(indexer.countWrites).toBe(1);
          await indexer.idle();
          expect(indexer.heightIndexed).toBe(6n);
          expect(indexer.countWrites).toBe(2);
          expect(indexer.countFailures).toBe(0);
        } finally {
          await indexer.close();
        }
      },
    );

    it.skipIf(backend.name !== "PGlite")(
      "a batch the database refuses leaves none of its rows, and the worker's connection keeps working",
      async () => {
        const indexer = await openWorkerIndexer("pglite-refused");
        try {
          indexer.push(committed[0]!);
          await indexer.idle();
          expect(indexer.heightIndexed).toBe(1n);
          // Block 2's deposit row is there already: its insert, after the block's and its
          // transactions' rows in the same script, conflicts.
          const deposits = blockProjection(committed[1]!).deposits;
          expect(deposits.length).toBeGreaterThan(0);
          await indexer.db.insert(schema.deposits).values(deposits[0]!);
          indexer.push(committed[1]!);
          await indexer.idle();
          expect(indexer.countFailures).toBeGreaterThan(0);
          expect(await heightIndexed(indexer.db)).toBe(1n);
          const at2 = (table: typeof schema.blocks | typeof schema.transactions) =>
            indexer.db.select().from(table).where(eq(table.height, 2n));
          expect(await at2(schema.blocks)).toEqual([]);
          expect(await at2(schema.transactions)).toEqual([]);
        } finally {
          await indexer.close();
        }
      },
    );

    it("withdrawal row ids are lane then id, big-endian", () => {
      expect(Array.from(withdrawalRowId(1, 2n))).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    });
  });
}

describe("projection SQL literals", () => {
  it("render bytes as hex bytea, integers in decimal, identifiers quoted, and refuse anything else", () => {
    expect(sqlLiteral(new Uint8Array([0, 171, 255]))).toBe("'\\x00abff'::bytea");
    expect(sqlLiteral(2n ** 200n)).toBe((2n ** 200n).toString());
    expect(sqlLiteral(-7)).toBe("-7");
    expect(sqlLiteral(null)).toBe("NULL");
    expect(sqlLiteral("postCheckpoint")).toBe("'postCheckpoint'");
    for (const bad of ["a'b", "x\\y", "a b", "é", 1.5, Number.NaN, true, {}])
      expect(() => sqlLiteral(bad)).toThrow();
  });
});
