/**
 * Crash safety of real validator processes under kill -9: a validator is
 * killed at seeded random moments (any step of consensus, mid-fsync, mid
 * commit) and restarted, 20+ times. Checked after each: no validator signed
 * two conflicting votes (the others' vote audits, the commit certificates,
 * and no validator refusing to start or exiting on a refused signature), no
 * block committed before the kill is lost or changed, and the killed node
 * catches up. Then all four are killed at once and must resume and commit.
 * CRASH_SEED=<n> replays a run.
 */
import * as fs from "node:fs";
import { Prng } from "../../shared/prng.ts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Cluster, maxOf, minOf } from "./helpers/cluster.ts";
import { assertAgreement, conflictsSeen } from "./helpers/cluster-checks.ts";

const SEED = Number(process.env.CRASH_SEED ?? 20_261_125);
const KILLS = 22;
const ALL = [0, 1, 2, 3];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** WAL records replayed at each start of a validator, from its JSON log. */
function walReplays(logFile: string): number[] {
  return fs
    .readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line.includes('"walRecords"'))
    .map((line) => (JSON.parse(line) as { walRecords: number }).walRecords);
}

describe(`kill -9 of validators (seed ${SEED})`, () => {
  let cluster: Cluster;

  beforeAll(async () => {
    // A short block interval keeps validators mid-height most of the time, so kills land between
    // votes (and restarts replay a WAL) rather than only in the pause between heights.
    cluster = await Cluster.init({ validators: 4, blockIntervalMs: 40, timeoutProposeMs: 300 });
    await cluster.startAll();
    await Promise.all(ALL.map((i) => cluster.waitHeight(i, 3n)));
  });

  afterAll(async () => {
    await cluster?.stop();
    cluster?.cleanup();
  });

  test(`${KILLS} single kills at random moments: no double sign, no lost block, the victim catches up`, async () => {
    const prng = new Prng(SEED);
    for (let k = 0; k < KILLS; k++) {
      const victim = prng.below(4);
      await sleep(prng.below(600));
      const heightBefore = await cluster.height(victim);
      const hashBefore = heightBefore > 0n ? (await cluster.block(victim, heightBefore)).hash : null;
      await cluster.kill9(victim);
      const others = ALL.filter((i) => i !== victim);
      const heightOthers = maxOf(await Promise.all(others.map((i) => cluster.height(i))));
      await cluster.restart(victim);
      const context = `seed ${SEED}, kill ${k}, validator ${victim}`;
      expect(await cluster.height(victim), `${context}: height after restart`).toBeGreaterThanOrEqual(
        heightBefore,
      );
      if (hashBefore) expect((await cluster.block(victim, heightBefore)).hash, context).toBe(hashBefore);
      await cluster.waitHeight(victim, heightOthers + 1n);
      expect(await conflictsSeen(cluster, ALL), context).toBe(0);
      expect(cluster.unexpectedExits, context).toEqual([]);
    }
    const heights = await Promise.all(ALL.map((i) => cluster.height(i)));
    await assertAgreement(cluster, minOf(heights), ALL);
    // The kills must have hit validators mid-height: some restarts replayed WAL records through step.
    const replays = ALL.flatMap((i) => walReplays(cluster.logFile(i)));
    expect(
      replays.filter((n) => n > 0).length,
      `WAL records replayed per restart: ${replays}`,
    ).toBeGreaterThan(0);
  });

  test("kill -9 of all four at once: they resume from where they were and keep committing", async () => {
    const prng = new Prng(SEED ^ 0x5eed);
    await sleep(prng.below(500));
    const heightsBefore = await Promise.all(ALL.map((i) => cluster.height(i)));
    const common = minOf(heightsBefore);
    const hashes = await assertAgreement(cluster, common, ALL);
    await Promise.all(ALL.map((i) => cluster.kill9(i)));
    await cluster.startAll();
    for (const i of ALL) expect(await cluster.height(i)).toBeGreaterThanOrEqual(heightsBefore[i]!);
    const top = maxOf(heightsBefore);
    await Promise.all(ALL.map((i) => cluster.waitHeight(i, top + 3n)));
    const after = await assertAgreement(cluster, top + 3n, ALL);
    for (const [h, hash] of hashes) expect(after.get(h), `height ${h}`).toBe(hash);
    expect(await conflictsSeen(cluster, ALL)).toBe(0);
    expect(cluster.unexpectedExits).toEqual([]);
  });
});
