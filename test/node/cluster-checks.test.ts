/**
 * Negative controls for the cluster checkers: fed a disagreement or a double
 * signature, assertAgreement throws, so a passing crash test means something.
 */
import { describe, expect, test } from "vitest";
import type { BlockJson, Cluster } from "./helpers/cluster.ts";
import { VoteAudit } from "../../settlement-node/node/vote-audit.ts";
import { assertAgreement } from "./helpers/cluster-checks.ts";

function fakeCluster(blocks: Record<number, Record<string, BlockJson>>): Cluster {
  return { block: async (i: number, h: bigint) => blocks[i]![String(h)]! } as unknown as Cluster;
}

const block = (hash: string, signatures: string[], round = 0): BlockJson => ({
  height: "1",
  hash,
  appHash: "0xaa",
  txs: [],
  certificate: {
    round,
    precommits: signatures.map((signature, validatorIndex) => ({ validatorIndex, signature })),
  },
});

describe("cluster checkers", () => {
  test("accept validators that agree on hashes and on every precommit signature", async () => {
    const c = fakeCluster({
      0: { 1: block("0x01", ["s0", "s1", "s2"]) },
      1: { 1: block("0x01", ["s0", "s1"]) },
    });
    const hashes = await assertAgreement(c, 1n, [0, 1]);
    expect(hashes.get(1n)).toBe("0x01");
  });

  test("reject two validators reporting different blocks at one height", async () => {
    const c = fakeCluster({ 0: { 1: block("0x01", ["s0"]) }, 1: { 1: block("0x02", ["s0"]) } });
    await expect(assertAgreement(c, 1n, [0, 1])).rejects.toThrow(/disagree at height 1/);
  });

  test("reject one validator index with two different precommit signatures in one round", async () => {
    const c = fakeCluster({
      0: { 1: block("0x01", ["s0", "s1"]) },
      1: { 1: block("0x01", ["s0", "OTHER"]) },
    });
    await expect(assertAgreement(c, 1n, [0, 1])).rejects.toThrow(/signed two different precommits/);
  });

  test("the node's vote audit counts a second, different vote by one key for one height, round and type", () => {
    const audit = new VoteAudit();
    const key = new Uint8Array(32).fill(1);
    const [x, y] = [new Uint8Array(32).fill(2), new Uint8Array(32).fill(3)];
    expect(audit.note(key, 5, 0, "prevote", x)).toBe(false);
    expect(audit.note(key, 5, 0, "prevote", x)).toBe(false); // a re-sent vote is not a conflict
    expect(audit.note(key, 5, 0, "precommit", null)).toBe(false); // another step
    expect(audit.note(key, 5, 1, "prevote", y)).toBe(false); // another round
    expect(audit.note(new Uint8Array(32).fill(9), 5, 0, "prevote", y)).toBe(false); // another key
    expect(audit.note(key, 5, 0, "prevote", null)).toBe(true); // nil after a value: a double sign
    expect(audit.note(key, 5, 0, "prevote", y)).toBe(true);
    expect(audit.countConflicts).toBe(2);
  });
});
