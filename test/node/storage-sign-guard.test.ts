import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { sha256 } from "../../shared/hash.ts";
import { DoubleSignRefusedError, StorageCorruptionError } from "../../settlement-node/storage/errors.ts";
import {
  encodeSignState,
  SIGN_STATE_BYTES,
  SIGN_STATE_FILE,
  SIGN_STATE_FILE_BYTES,
  SignGuard,
  SignStep,
} from "../../settlement-node/storage/sign-guard.ts";

const NODE = path.resolve("node_modules/.bin/node");
const SIGNER = path.resolve("test/node/fixtures/storage-sign-guard-signer.ts");

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-sign-guard-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const hashOf = (text: string) => sha256(new TextEncoder().encode(text));

/** Runs the signer fixture, waits for its verdict, then kills it with SIGKILL. */
function signInChildThenKill(height: bigint, round: number, step: number, hash: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [SIGNER, dir, String(height), String(round), String(step), toHex(hash)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let verdict: string | null = null;
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const newline = out.indexOf("\n");
      if (newline >= 0 && verdict === null) {
        verdict = out.slice(0, newline);
        child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("close", (_code, signal) => {
      if (verdict !== null && signal === "SIGKILL") resolve(verdict);
      else reject(new Error(`signer ended without a verdict (${signal}): ${err}`));
    });
  });
}

describe("sign guard across kill -9", () => {
  it("refuses a conflicting vote and a regression after the signer was killed, and allows identical re-signing", async () => {
    const vote = hashOf("precommit block A");
    expect(await signInChildThenKill(7n, 2, SignStep.precommit, vote)).toBe("signed");
    expect(await signInChildThenKill(7n, 2, SignStep.precommit, hashOf("precommit block B"))).toBe(
      "refused conflicting-payload",
    );
    expect(await signInChildThenKill(7n, 2, SignStep.prevote, hashOf("prevote"))).toBe("refused regression");
    expect(await signInChildThenKill(7n, 2, SignStep.precommit, vote)).toBe("signed");
    expect(await signInChildThenKill(7n, 3, SignStep.propose, hashOf("proposal r3"))).toBe("signed");
    expect(SignGuard.open(dir).last).toMatchObject({ height: 7n, round: 3, step: SignStep.propose });
  });
});

describe("sign guard rules", () => {
  const hrs = fc.tuple(
    fc.bigInt({ min: 0n, max: 5n }),
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 1, max: 3 }),
  );

  it("allows exactly the strictly later (height, round, step), or the identical bytes at the same one", () => {
    fc.assert(
      fc.property(hrs, hrs, fc.boolean(), ([h1, r1, s1], [h2, r2, s2], sameBytes) => {
        const guard = SignGuard.open(dir);
        const first = hashOf(`${h1}/${r1}/${s1}`);
        guard.recordBeforeSigning(h1, r1, s1, first);
        const second = sameBytes ? first : hashOf("other");
        const later = h2 > h1 || (h2 === h1 && (r2 > r1 || (r2 === r1 && s2 > s1)));
        const same = h2 === h1 && r2 === r1 && s2 === s1;
        const decision = guard.canSign(h2, r2, s2, second);
        expect(decision.allowed).toBe(later || (same && sameBytes));
        if (!decision.allowed) {
          expect(decision.reason).toBe(same ? "conflicting-payload" : "regression");
          expect(() => guard.recordBeforeSigning(h2, r2, s2, second)).toThrow(DoubleSignRefusedError);
        }
        fs.rmSync(path.join(dir, SIGN_STATE_FILE), { force: true });
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  it("persists before returning: a fresh open sees the last recorded state", () => {
    const guard = SignGuard.open(dir);
    expect(guard.last).toBeNull();
    guard.recordBeforeSigning(2n ** 63n, 4, SignStep.prevote, hashOf("x"));
    const reopened = SignGuard.open(dir);
    expect(reopened.last?.height).toBe(2n ** 63n);
    expect(toHex(reopened.last!.signBytesHash)).toBe(toHex(hashOf("x")));
  });

  it("ignores a temp file left by a crash before the rename, keeping the previous state", () => {
    SignGuard.open(dir).recordBeforeSigning(3n, 0, SignStep.prevote, hashOf("a"));
    fs.writeFileSync(path.join(dir, `${SIGN_STATE_FILE}.tmp`), "half-written");
    const guard = SignGuard.open(dir);
    expect(guard.last?.height).toBe(3n);
    expect(fs.existsSync(path.join(dir, `${SIGN_STATE_FILE}.tmp`))).toBe(false);
  });

  it("refuses to start from a damaged state file instead of forgetting what it signed", () => {
    SignGuard.open(dir).recordBeforeSigning(3n, 0, SignStep.prevote, hashOf("a"));
    const file = path.join(dir, SIGN_STATE_FILE);
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(SIGN_STATE_FILE_BYTES);
    // Bit rot in one slot: the other still holds the same state.
    bytes[12] = bytes[12]! ^ 1;
    fs.writeFileSync(file, bytes);
    expect(SignGuard.open(dir).last?.height).toBe(3n);
    // Both slots damaged: nothing trustworthy is left.
    bytes[SIGN_STATE_BYTES + 12] = bytes[SIGN_STATE_BYTES + 12]! ^ 1;
    fs.writeFileSync(file, bytes);
    expect(() => SignGuard.open(dir)).toThrow(StorageCorruptionError);
    fs.writeFileSync(file, bytes.subarray(0, 5));
    expect(() => SignGuard.open(dir)).toThrow(StorageCorruptionError);
  });

  it("a write torn in either slot leaves the previous or the new state, never less", () => {
    const guard = SignGuard.open(dir);
    guard.recordBeforeSigning(5n, 1, SignStep.prevote, hashOf("old"));
    const file = path.join(dir, SIGN_STATE_FILE);
    const before = new Uint8Array(fs.readFileSync(file));
    const next = encodeSignState({
      height: 5n,
      round: 1,
      step: SignStep.precommit,
      signBytesHash: hashOf("new"),
    });
    // Torn while writing slot 1 (written first): slot 0 still holds the previous state.
    const tornFirst = before.slice();
    tornFirst.set(next.subarray(0, 20), SIGN_STATE_BYTES);
    fs.writeFileSync(file, tornFirst);
    expect(SignGuard.open(dir).last?.step).toBe(SignStep.prevote);
    // Torn while writing slot 0: slot 1 already holds the new state, which may have been released.
    const tornSecond = before.slice();
    tornSecond.set(next, SIGN_STATE_BYTES);
    tornSecond.set(next.subarray(0, 20), 0);
    fs.writeFileSync(file, tornSecond);
    const reopened = SignGuard.open(dir);
    expect(reopened.last?.step).toBe(SignStep.precommit);
    expect(reopened.canSign(5n, 1, SignStep.prevote, hashOf("old")).allowed).toBe(false);
  });

  it("reads a legacy one-slot file and widens it on the next write", () => {
    const file = path.join(dir, SIGN_STATE_FILE);
    fs.writeFileSync(
      file,
      encodeSignState({ height: 9n, round: 0, step: SignStep.prevote, signBytesHash: hashOf("l") }),
    );
    const guard = SignGuard.open(dir);
    expect(guard.last?.height).toBe(9n);
    guard.recordBeforeSigning(9n, 0, SignStep.precommit, hashOf("m"));
    guard.close();
    expect(fs.statSync(file).size).toBe(SIGN_STATE_FILE_BYTES);
    expect(SignGuard.open(dir).last?.step).toBe(SignStep.precommit);
  });
});
