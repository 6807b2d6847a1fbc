/**
 * One process per validator data directory. Two node processes on one data
 * directory would each trust their own in-memory sign guard and could sign
 * conflicting votes, so the node takes this lock before opening anything else.
 *
 * Node has no flock, so the lock is a `LOCK` file holding the owner's pid and
 * a random token, created with O_EXCL. A lock whose pid is no longer alive
 * (the owner was killed) is stale and taken over. Limits: a recycled pid keeps
 * a stale lock looking alive (refusing is the safe side; delete LOCK by hand),
 * and two processes taking over the same stale lock at the same instant are
 * told apart only by re-reading the token (best effort).
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { BitlayerError } from "../../shared/errors.ts";
import { fsyncDir } from "./record-file.ts";

export const LOCK_FILE = "LOCK";

export type DataDirLockedErrorType = DataDirLockedError;
export class DataDirLockedError extends BitlayerError {
  override name = "DataDirLockedError" as const;
  readonly pidOwner: number;
  constructor(dir: string, pidOwner: number) {
    super(`The data directory ${dir} is in use by process ${pidOwner}.`, {
      metaMessages: [
        "Running two validator processes on one data directory risks double-signing.",
        `Stop process ${pidOwner}; if it is not a validator (a recycled pid), delete ${path.join(dir, LOCK_FILE)}.`,
      ],
      docsPath: "storage.md#data-directory-lock",
    });
    this.pidOwner = pidOwner;
  }
}

export type DataDirLock = { readonly dir: string; release(): void };

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(file: string): { pid: number; token: string } | null {
  try {
    const [pid, token] = fs.readFileSync(file, "utf8").trim().split(" ");
    return Number.isInteger(Number(pid)) && token ? { pid: Number(pid), token } : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/** Takes the lock on `dir` (created if missing) or throws DataDirLockedError. */
export function acquireDataDirLock(dir: string): DataDirLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const token = randomBytes(16).toString("hex");
  const content = `${process.pid} ${token}\n`;
  try {
    fs.writeFileSync(file, content, { flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const owner = readOwner(file);
    if (owner && owner.pid !== process.pid && isAlive(owner.pid))
      throw new DataDirLockedError(dir, owner.pid);
    if (owner && owner.pid === process.pid) throw new DataDirLockedError(dir, owner.pid);
    // Stale (owner gone) or unreadable (crashed while writing it): replace atomically, then confirm we won.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
    const now = readOwner(file);
    if (!now || now.token !== token) throw new DataDirLockedError(dir, now?.pid ?? -1);
  }
  fsyncDir(dir);
  let released = false;
  return {
    dir,
    release() {
      if (released) return;
      released = true;
      if (readOwner(file)?.token === token) fs.rmSync(file, { force: true });
    },
  };
}
