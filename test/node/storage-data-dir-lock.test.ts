import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  acquireDataDirLock,
  DataDirLockedError,
  LOCK_FILE,
} from "../../settlement-node/storage/data-dir-lock.ts";

const NODE = path.resolve("node_modules/.bin/node");
const HOLDER = path.resolve("test/node/fixtures/storage-lock-holder.ts");

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-lock-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("data directory lock", () => {
  it("refuses a second process while the owner lives, and is taken over after the owner is killed with SIGKILL", async () => {
    const child = spawn(NODE, [HOLDER, dir], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (d: string) => d.includes("locked") && resolve());
      child.on("exit", (code) => reject(new Error(`lock holder exited early with ${code}`)));
    });
    try {
      expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    } finally {
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    const lock = acquireDataDirLock(dir);
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8")).toMatch(new RegExp(`^${process.pid} `));
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it("refuses to be taken twice by the same process, and can be taken again after release", () => {
    const lock = acquireDataDirLock(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(/in use by process/);
    lock.release();
    acquireDataDirLock(dir).release();
  });

  it("takes over a lock file left half-written", () => {
    fs.writeFileSync(path.join(dir, LOCK_FILE), "");
    acquireDataDirLock(dir).release();
  });
});
