/**
 * The last-signed-state guard (CometBFT privval style): before a signature
 * leaves the process, the (height, round, step) it is for and the hash of the
 * signed bytes are made durable here, so a validator that crashes and restarts
 * can never sign a conflicting vote — the one fault that slashes its stake.
 *
 * File: `sign-state.bin`, written atomically (temp file, fsync, rename, fsync
 * of the directory). Layout in docs/storage.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { assertLength, equalBytes, toHex, utf8 } from "../../shared/bytes.ts";
import { crc32c } from "./crc32c.ts";
import { DoubleSignRefusedError, StorageCorruptionError } from "./errors.ts";
import { fsyncDir } from "./record-file.ts";

export const SIGN_STATE_MAGIC = utf8("BLSIGN1\n");
export const SIGN_STATE_FILE = "sign-state.bin";

/** Step numbers in signing order within a round. The guard only compares them, so any u8 order works. */
export const SignStep = { propose: 1, prevote: 2, precommit: 3 } as const;

export type SignedState = {
  height: bigint;
  round: number;
  step: number;
  /** SHA-256 of the exact bytes signed. */
  signBytesHash: Uint8Array;
};

export type SignDecision =
  | { allowed: true; identical: boolean }
  | { allowed: false; reason: "regression" | "conflicting-payload" };

/**
 * magic(8) | height u64 BE | round u32 BE | step u8 | signBytesHash(32) | CRC-32C LE of all before it.
 * Fixed width and hand-laid (not shared/codec): this file must be readable by
 * the plain `node` the validator runs, with no dependency on the codec.
 */
export const SIGN_STATE_BYTES = 8 + 8 + 4 + 1 + 32 + 4;

export function encodeSignState(state: SignedState): Uint8Array {
  assertLength(state.signBytesHash, 32, "signBytesHash");
  if (state.height < 0n || state.height >= 1n << 64n)
    throw new RangeError(`height ${state.height} is not a u64`);
  if (!Number.isInteger(state.round) || state.round < 0 || state.round > 0xffffffff)
    throw new RangeError(`round ${state.round} is not a u32`);
  if (!Number.isInteger(state.step) || state.step < 0 || state.step > 0xff)
    throw new RangeError(`step ${state.step} is not a u8`);
  const out = new Uint8Array(SIGN_STATE_BYTES);
  const view = new DataView(out.buffer);
  out.set(SIGN_STATE_MAGIC, 0);
  view.setBigUint64(8, state.height);
  view.setUint32(16, state.round);
  view.setUint8(20, state.step);
  out.set(state.signBytesHash, 21);
  view.setUint32(53, crc32c(out.subarray(0, 53)), true);
  return out;
}

function decodeSignState(file: string, bytes: Uint8Array): SignedState {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length !== SIGN_STATE_BYTES || crc32c(bytes.subarray(0, 53)) !== view.getUint32(53, true)) {
    throw new StorageCorruptionError(
      file,
      0,
      "sign state damaged (length or checksum); refusing to guess what was signed",
    );
  }
  if (!equalBytes(bytes.subarray(0, 8), SIGN_STATE_MAGIC)) {
    throw new StorageCorruptionError(file, 0, "wrong magic: not a sign state file");
  }
  return {
    height: view.getBigUint64(8),
    round: view.getUint32(16),
    step: view.getUint8(20),
    signBytesHash: bytes.slice(21, 53),
  };
}

function compareHrs(a: SignedState, height: bigint, round: number, step: number): number {
  if (a.height !== height) return a.height < height ? -1 : 1;
  if (a.round !== round) return a.round < round ? -1 : 1;
  return a.step === step ? 0 : a.step < step ? -1 : 1;
}

/**
 * The file holds the state twice (two slots of SIGN_STATE_BYTES), each
 * rewritten in place with its own fdatasync: slot 1, then slot 0. A crash
 * tears at most the slot being written, so the other one still holds either
 * the previous state (whose successor was never released) or the new one;
 * open takes the later valid slot. In-place overwrites of a file whose size
 * never changes need no rename, no directory fsync and no journal commit,
 * which makes a guarded signature about four times cheaper than the
 * write-temp-then-rename it replaced (docs/storage.md). A legacy one-slot
 * file (57 bytes) is read as is and widened on the next write.
 */
export const SIGN_STATE_SLOTS = 2;
export const SIGN_STATE_FILE_BYTES = SIGN_STATE_SLOTS * SIGN_STATE_BYTES;

function isAllZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

/** The later of the file's valid slots; a damaged slot next to a valid one is a torn write. */
function decodeSignFile(file: string, bytes: Uint8Array): SignedState | null {
  if (bytes.length === SIGN_STATE_BYTES) return decodeSignState(file, bytes);
  if (bytes.length !== SIGN_STATE_FILE_BYTES)
    throw new StorageCorruptionError(
      file,
      0,
      `sign state file of ${bytes.length} bytes; refusing to guess what was signed`,
    );
  const slots: (SignedState | null | "damaged")[] = [];
  for (let i = 0; i < SIGN_STATE_SLOTS; i++) {
    const slot = bytes.subarray(i * SIGN_STATE_BYTES, (i + 1) * SIGN_STATE_BYTES);
    if (isAllZero(slot)) slots.push(null);
    else {
      try {
        slots.push(decodeSignState(file, slot));
      } catch (e) {
        if (!(e instanceof StorageCorruptionError)) throw e;
        slots.push("damaged");
      }
    }
  }
  const valid = slots.filter((x): x is SignedState => x !== null && x !== "damaged");
  // Both damaged, or one damaged and the other never written: no trustworthy record of what was signed.
  if (valid.length === 0 && slots.some((x) => x === "damaged"))
    throw new StorageCorruptionError(
      file,
      0,
      "sign state damaged (checksum); refusing to guess what was signed",
    );
  let best: SignedState | null = null;
  for (const v of valid) if (!best || compareHrs(best, v.height, v.round, v.step) < 0) best = v;
  return best;
}

export class SignGuard {
  readonly dir: string;
  private state: SignedState | null;
  private dirty = false;
  private fd: number | null = null;

  private constructor(dir: string, state: SignedState | null) {
    this.dir = dir;
    this.state = state;
  }

  /**
   * Loads the last signed state from `dir`. A missing file means nothing was
   * ever signed; a damaged one is a hard error, never a reset. A leftover temp
   * file (from the older rename-based writer) is an update whose signature
   * was never released, so it is discarded.
   */
  static open(dir: string): SignGuard {
    fs.mkdirSync(dir, { recursive: true });
    fs.rmSync(path.join(dir, `${SIGN_STATE_FILE}.tmp`), { force: true });
    const file = path.join(dir, SIGN_STATE_FILE);
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return new SignGuard(dir, null);
      throw e;
    }
    return new SignGuard(dir, decodeSignFile(file, new Uint8Array(bytes)));
  }

  get last(): SignedState | null {
    return this.state;
  }

  /** Whether signing these bytes at (height, round, step) is safe given the last signed state. */
  canSign(height: bigint, round: number, step: number, signBytesHash: Uint8Array): SignDecision {
    assertLength(signBytesHash, 32, "signBytesHash");
    if (this.state === null) return { allowed: true, identical: false };
    const order = compareHrs(this.state, height, round, step);
    if (order > 0) return { allowed: false, reason: "regression" };
    if (order < 0) return { allowed: true, identical: false };
    return equalBytes(this.state.signBytesHash, signBytesHash)
      ? { allowed: true, identical: true }
      : { allowed: false, reason: "conflicting-payload" };
  }

  /**
   * Call before releasing a signature: throws DoubleSignRefusedError if it is
   * unsafe, otherwise makes (height, round, step, hash) durable and returns.
   * Re-signing identical bytes writes nothing.
   */
  recordBeforeSigning(height: bigint, round: number, step: number, signBytesHash: Uint8Array): void {
    if (this.check(height, round, step, signBytesHash)) return;
    const next: SignedState = { height, round, step, signBytesHash: signBytesHash.slice() };
    this.writeAtomically(encodeSignState(next));
    this.state = next;
    this.dirty = false;
  }

  /**
   * The check half of recordBeforeSigning, for a caller that makes the state
   * durable in its own log (the node's WAL, in the same fsync as the inputs
   * that led to the signature) and then calls noteDurable. Throws
   * DoubleSignRefusedError if unsafe; returns true for identical bytes.
   */
  check(height: bigint, round: number, step: number, signBytesHash: Uint8Array): boolean {
    const decision = this.canSign(height, round, step, signBytesHash);
    if (!decision.allowed) {
      const last = this.state!;
      throw new DoubleSignRefusedError(
        decision.reason,
        `asked (${height}, ${round}, ${step}, ${toHex(signBytesHash)}), last signed (${last.height}, ${last.round}, ${last.step}, ${toHex(last.signBytesHash)})`,
      );
    }
    return decision.identical;
  }

  /**
   * A state the caller has made durable elsewhere (after check). The guard's
   * file catches up at the next flush, which must happen before that other
   * copy is deleted (the node flushes before pruning WAL segments).
   */
  noteDurable(state: SignedState): void {
    if (this.check(state.height, state.round, state.step, state.signBytesHash)) return;
    this.state = { ...state, signBytesHash: state.signBytesHash.slice() };
    this.dirty = true;
  }

  /** On start: a state found in the caller's durable log; the guard keeps the later of it and its own. */
  observe(state: SignedState): void {
    if (this.state && compareHrs(this.state, state.height, state.round, state.step) >= 0) return;
    this.state = { ...state, signBytesHash: state.signBytesHash.slice() };
    this.dirty = true;
  }

  /** True while the file is behind a state noted or observed from elsewhere. */
  get behind(): boolean {
    return this.dirty;
  }

  /** Writes the current state to the guard's own file if it is behind. */
  flush(): void {
    if (!this.dirty || this.state === null) return;
    this.writeAtomically(encodeSignState(this.state));
    this.dirty = false;
  }

  private writeAtomically(bytes: Uint8Array): void {
    const file = path.join(this.dir, SIGN_STATE_FILE);
    if (this.fd === null) {
      const exists = fs.existsSync(file);
      this.fd = fs.openSync(file, exists ? "r+" : "w+");
      const size = fs.fstatSync(this.fd).size;
      if (size !== SIGN_STATE_FILE_BYTES) {
        // First write, or a legacy one-slot file: give it its final size (both slots the
        // current state, or empty) and make that durable with its directory entry, once.
        const initial = new Uint8Array(SIGN_STATE_FILE_BYTES);
        if (this.state) {
          const current = encodeSignState(this.state);
          for (let i = 0; i < SIGN_STATE_SLOTS; i++) initial.set(current, i * SIGN_STATE_BYTES);
        }
        writeAt(this.fd, initial, 0);
        fs.ftruncateSync(this.fd, SIGN_STATE_FILE_BYTES);
        fs.fsyncSync(this.fd);
        fsyncDir(this.dir);
      }
    }
    // Slot 1 first, then slot 0: while either is being written the other is intact.
    for (let i = SIGN_STATE_SLOTS - 1; i >= 0; i--) {
      writeAt(this.fd, bytes, i * SIGN_STATE_BYTES);
      fs.fdatasyncSync(this.fd);
    }
  }

  /** Releases the file descriptor (the state stays durable). */
  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

function writeAt(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
}
