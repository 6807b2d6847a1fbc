/**
 * The "one DO call doing one SQL write" baseline of the edge benchmarks
 * (routes/dev-bench.ts): one durable row write per call, in a scratch table
 * that only a Worker running with BITLAYER_DEV = "1" ever creates. The table
 * holds at most BENCH_ROWS rows (the write overwrites a slot), so a long
 * benchmark does not grow the lane's database.
 */
const BENCH_ROWS = 1024;
const PAYLOAD = new Uint8Array(128).fill(0xbe).buffer;

const created = new WeakSet<SqlStorage>();

/** Writes one row; returns the slot written. */
export function benchWrite(sql: SqlStorage, counter: number): number {
  if (!created.has(sql)) {
    sql.exec("CREATE TABLE IF NOT EXISTS bench_writes (slot INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
    created.add(sql);
  }
  const slot = counter % BENCH_ROWS;
  sql.exec("INSERT OR REPLACE INTO bench_writes (slot, payload) VALUES (?, ?)", slot, PAYLOAD);
  return slot;
}
