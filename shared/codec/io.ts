import { CodecError, CodecErrorCode } from "./errors.ts";

/** Growable output buffer; fields append to it in order. */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;
  /** Field path for error messages while encoding. */
  path: string[] = [];

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, v);
    this.length += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v);
    this.length += 4;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.length, v);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
  /** Bytes of the underlying buffer (what reset() keeps). */
  get capacity(): number {
    return this.buf.length;
  }
  /** Empties the writer for reuse, keeping its buffer. */
  reset(): void {
    this.length = 0;
    this.path.length = 0;
  }
  fail(code: CodecErrorCode, message: string): never {
    throw new CodecError(code, this.path.join("."), this.length, message);
  }
}

/**
 * Cursor over input bytes; every read is bounds-checked. Integers are read
 * byte by byte rather than through a DataView: building a DataView per
 * decode (most decodes are of small records) measured 2-3 times the cost of
 * the reads themselves.
 */
export class Reader {
  offset = 0;
  path: string[] = [];

  readonly buf: Uint8Array;

  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }
  private need(n: number): void {
    if (this.remaining < n)
      this.fail(CodecErrorCode.UnexpectedEnd, `needs ${n} more bytes, ${this.remaining} left`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.offset++]!;
  }
  u16(): number {
    this.need(2);
    const b = this.buf;
    const at = this.offset;
    this.offset = at + 2;
    return (b[at]! << 8) | b[at + 1]!;
  }
  u32(): number {
    this.need(4);
    const v = word(this.buf, this.offset);
    this.offset += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const hi = word(this.buf, this.offset);
    const lo = word(this.buf, this.offset + 4);
    this.offset += 8;
    // Below 2^53 the number is exact: one BigInt instead of a shift and an or.
    return hi < 0x20_0000 ? BigInt(hi * 0x1_0000_0000 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  fail(code: CodecErrorCode, message: string): never {
    throw new CodecError(code, this.path.join("."), this.offset, message);
  }
}

/** The big-endian u32 at `at` (the caller checked the bounds). */
function word(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
