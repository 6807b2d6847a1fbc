import { describe, expect, it } from "vitest";
import { PHASE_HEIGHTS_KEPT, PhaseLog } from "../../settlement-node/node/phases.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("PhaseLog", () => {
  it("records each phase once, as ms since the height started, and the start on the Unix clock", async () => {
    const log = new PhaseLog();
    const before = Date.now();
    log.started(7n);
    const after = Date.now();
    await sleep(5);
    log.mark("proposalMs");
    await sleep(5);
    log.mark("prevoteMs");
    log.mark("proposalMs"); // a second mark of a phase is ignored
    log.applied(7n, 0, 3);
    log.stored(7n);
    const [h] = log.recent(1);
    expect(h!.height).toBe("7");
    expect(h!.txs).toBe(3);
    expect(h!.startedAtUnixMs).toBeGreaterThanOrEqual(before - 1);
    expect(h!.startedAtUnixMs).toBeLessThanOrEqual(after + 1);
    expect(h!.proposalMs).toBeGreaterThanOrEqual(4);
    expect(h!.prevoteMs!).toBeGreaterThan(h!.proposalMs!);
    expect(h!.storedMs!).toBeGreaterThanOrEqual(h!.prevoteMs!);
    expect(h!.precommitMs).toBeNull();
    expect(log.of(7n)).toEqual(h);
  });

  it("keeps the latest heights, oldest first, and summarizes only stored heights with enough transactions", () => {
    const log = new PhaseLog();
    for (let height = 1n; height <= BigInt(PHASE_HEIGHTS_KEPT) + 10n; height++) {
      log.started(height);
      log.applied(height, 0, Number(height % 2n));
      if (height !== 20n) log.stored(height);
    }
    const recent = log.recent(PHASE_HEIGHTS_KEPT + 50);
    expect(recent).toHaveLength(PHASE_HEIGHTS_KEPT);
    expect(recent[0]!.height).toBe("11");
    expect(recent.at(-1)!.height).toBe(String(PHASE_HEIGHTS_KEPT + 10));
    expect(log.recent(3).map((h) => h.height)).toEqual([8, 9, 10].map((d) => String(PHASE_HEIGHTS_KEPT + d)));
    // Of heights 11..40, the 15 odd ones carry a transaction; all but 20 (never stored) are summarized.
    expect(log.summary(1, 11n, 40n).heights).toBe(15);
    expect(log.summary(0, 11n, 40n).heights).toBe(29);
  });
});
