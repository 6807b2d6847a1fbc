/**
 * Bitlayer's canonical binary codec (docs/spec/encoding.md).
 *
 * Every value has exactly one encoding: integers are fixed-width big-endian,
 * lengths and counts are minimal LEB128 varints, booleans are 0 or 1, unions
 * carry a one-byte tag, struct fields are written in schema order with no
 * names. Decoding rejects anything else — trailing bytes, short input,
 * non-minimal varints, unknown tags, out-of-range values, oversize fields,
 * invalid UTF-8 — with a CodecError naming the field.
 *
 * A small codec of our own because the fraud-proof and signature rules need
 * every bound stated at the call site and no library we surveyed rejects
 * non-minimal lengths and oversize fields together.
 */
import { CodecErrorCode } from "./errors.ts";
import { Reader, Writer } from "./io.ts";

export interface Codec<T> {
  /** Human name of the layout, used in docs and errors. */
  readonly layout: string;
  write(w: Writer, value: T): void;
  read(r: Reader): T;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

/**
 * One spare Writer, reused across encode calls: a fresh one costs a 256-byte
 * buffer and a DataView, which is most of encoding a small record (a balance,
 * a receipt), and notably so in workerd. Taken while in use, so a nested
 * encode (from inside a codec) gets its own; not kept once grown past 64 KB.
 */
let spareWriter: Writer | null = null;
const SPARE_WRITER_BYTES_MAX = 64 * 1024;

export function encode<T>(codec: Codec<T>, value: T): Uint8Array {
  const w = spareWriter ?? new Writer();
  spareWriter = null;
  try {
    codec.write(w, value);
    return w.finish();
  } finally {
    w.reset();
    if (w.capacity <= SPARE_WRITER_BYTES_MAX) spareWriter = w;
  }
}

/** Decodes exactly one value: the whole input must be consumed. */
export function decode<T>(codec: Codec<T>, bytes: Uint8Array): T {
  const r = new Reader(bytes);
  const value = codec.read(r);
  if (r.remaining !== 0) r.fail(CodecErrorCode.TrailingBytes, `${r.remaining} trailing bytes`);
  return value;
}

function uint(bits: 8 | 16 | 32): Codec<number> {
  const max = 2 ** bits - 1;
  return {
    layout: `u${bits}`,
    write(w, v) {
      if (!Number.isInteger(v) || v < 0 || v > max)
        w.fail(CodecErrorCode.OutOfRange, `u${bits} out of range: ${v}`);
      if (bits === 8) w.u8(v);
      else if (bits === 16) w.u16(v);
      else w.u32(v);
    },
    read(r) {
      return bits === 8 ? r.u8() : bits === 16 ? r.u16() : r.u32();
    },
  };
}

export const u8 = uint(8);
export const u16 = uint(16);
export const u32 = uint(32);

const U64_MAX = (1n << 64n) - 1n;
export const u64: Codec<bigint> = {
  layout: "u64",
  write(w, v) {
    if (typeof v !== "bigint" || v < 0n || v > U64_MAX)
      w.fail(CodecErrorCode.OutOfRange, `u64 out of range: ${v}`);
    w.u64(v);
  },
  read(r) {
    return r.u64();
  },
};

const U128_MAX = (1n << 128n) - 1n;
/** Amounts: 16 bytes big-endian. */
export const u128: Codec<bigint> = {
  layout: "u128",
  write(w, v) {
    if (typeof v !== "bigint" || v < 0n || v > U128_MAX)
      w.fail(CodecErrorCode.OutOfRange, `u128 out of range: ${v}`);
    w.u64(v >> 64n);
    w.u64(v & U64_MAX);
  },
  read(r) {
    const hi = r.u64();
    return (hi << 64n) | r.u64();
  },
};

export const bool: Codec<boolean> = {
  layout: "bool",
  write(w, v) {
    if (typeof v !== "boolean") w.fail(CodecErrorCode.InvalidValue, "expected a boolean");
    w.u8(v ? 1 : 0);
  },
  read(r) {
    const b = r.u8();
    if (b > 1) {
      r.offset -= 1;
      r.fail(CodecErrorCode.OutOfRange, `bool must be 0 or 1, got ${b}`);
    }
    return b === 1;
  },
};

const VARUINT_MAX = 0xffff_ffff;
/** Unsigned LEB128 for lengths and counts, at most 2^32-1, minimal encoding only. */
export const varuint: Codec<number> = {
  layout: "varuint",
  write(w, v) {
    if (!Number.isInteger(v) || v < 0 || v > VARUINT_MAX)
      w.fail(CodecErrorCode.OutOfRange, `varuint out of range: ${v}`);
    let x = v;
    while (x >= 0x80) {
      w.u8((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    w.u8(x);
  },
  read(r) {
    const start = r.offset;
    // Errors point at the varuint's first byte, like every other rejection.
    const reject = (code: CodecErrorCode, message: string): never => {
      r.offset = start;
      return r.fail(code, message);
    };
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      const b = r.u8();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (i > 0 && b === 0) reject(CodecErrorCode.NonMinimalVarint, "varuint has a redundant zero byte");
        if (value > VARUINT_MAX) reject(CodecErrorCode.OutOfRange, `varuint out of range: ${value}`);
        return value;
      }
      scale *= 0x80;
    }
    return reject(CodecErrorCode.OutOfRange, "varuint longer than 5 bytes");
  },
};

export function fixedBytes(length: number): Codec<Uint8Array> {
  return {
    layout: `bytes[${length}]`,
    write(w, v) {
      if (!(v instanceof Uint8Array) || v.length !== length) {
        w.fail(
          CodecErrorCode.InvalidValue,
          `expected ${length} bytes, got ${v instanceof Uint8Array ? v.length : typeof v}`,
        );
      }
      w.bytes(v);
    },
    read(r) {
      return r.bytes(length);
    },
  };
}

function readLength(r: Reader, max: number, unit: string): number {
  const start = r.offset;
  const n = varuint.read(r);
  if (n > max) {
    r.offset = start;
    r.fail(CodecErrorCode.Oversize, `${n} ${unit} exceeds the limit of ${max}`);
  }
  return n;
}

/** Variable-length bytes: varuint length, then the bytes. */
export function bytes(maxLength: number): Codec<Uint8Array> {
  return {
    layout: `bytes<=${maxLength}`,
    write(w, v) {
      if (!(v instanceof Uint8Array)) w.fail(CodecErrorCode.InvalidValue, "expected bytes");
      if (v.length > maxLength)
        w.fail(CodecErrorCode.Oversize, `${v.length} bytes exceeds the limit of ${maxLength}`);
      varuint.write(w, v.length);
      w.bytes(v);
    },
    read(r) {
      return r.bytes(readLength(r, maxLength, "bytes"));
    },
  };
}

const utf8Encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error; ignoreBOM: a leading U+FEFF is kept, so re-encoding gives the same bytes.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * UTF-8 text with a byte-length limit. Each codec remembers the last string
 * it wrote and its checked bytes: the same chain id is written in every
 * receipt, header and lane record, and a hit costs no TextEncoder call.
 */
export function string(maxBytes: number): Codec<string> {
  let lastText: string | undefined;
  let lastBytes: Uint8Array | undefined;
  return {
    layout: `string<=${maxBytes}`,
    write(w, v) {
      if (v === lastText && lastBytes !== undefined) {
        varuint.write(w, lastBytes.length);
        w.bytes(lastBytes);
        return;
      }
      if (typeof v !== "string") w.fail(CodecErrorCode.InvalidValue, "expected a string");
      if (!v.isWellFormed()) w.fail(CodecErrorCode.InvalidUtf8, "string has lone surrogates");
      const b = utf8Encoder.encode(v);
      if (b.length > maxBytes)
        w.fail(CodecErrorCode.Oversize, `${b.length} bytes exceeds the limit of ${maxBytes}`);
      varuint.write(w, b.length);
      w.bytes(b);
      lastText = v;
      lastBytes = b;
    },
    read(r) {
      const start = r.offset;
      const b = r.bytes(readLength(r, maxBytes, "bytes"));
      try {
        return utf8Decoder.decode(b);
      } catch {
        r.offset = start;
        return r.fail(CodecErrorCode.InvalidUtf8, "invalid UTF-8");
      }
    },
  };
}

export function array<T>(item: Codec<T>, maxCount: number): Codec<T[]> {
  return {
    layout: `${item.layout}[<=${maxCount}]`,
    write(w, v) {
      if (!Array.isArray(v)) w.fail(CodecErrorCode.InvalidValue, "expected an array");
      if (v.length > maxCount)
        w.fail(CodecErrorCode.Oversize, `${v.length} items exceeds the limit of ${maxCount}`);
      varuint.write(w, v.length);
      for (let i = 0; i < v.length; i++) {
        w.path.push(String(i));
        item.write(w, v[i]!);
        w.path.pop();
      }
    },
    read(r) {
      const n = readLength(r, maxCount, "items");
      const out: T[] = new Array(n);
      for (let i = 0; i < n; i++) {
        r.path.push(String(i));
        out[i] = item.read(r);
        r.path.pop();
      }
      return out;
    },
  };
}

export function option<T>(inner: Codec<T>): Codec<T | null> {
  // option(option(x)) would decode both [0] and [1, 0] to null: two encodings for one value.
  if (inner.layout.startsWith("option<")) throw new Error("option of an option has no canonical encoding");
  return {
    layout: `option<${inner.layout}>`,
    write(w, v) {
      if (v === null || v === undefined) return w.u8(0);
      w.u8(1);
      inner.write(w, v);
    },
    read(r) {
      const tag = r.u8();
      if (tag === 0) return null;
      if (tag !== 1) {
        r.offset -= 1;
        r.fail(CodecErrorCode.UnknownTag, `option tag must be 0 or 1, got ${tag}`);
      }
      return inner.read(r);
    },
  };
}

type Fields = Record<string, Codec<any>>;
export type StructValue<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

/** Fields are written in the order the schema object lists them, without names. */
export function struct<F extends Fields>(fields: F): Codec<StructValue<F>> & { fields: F } {
  const entries = Object.entries(fields);
  return {
    fields,
    layout: `{${entries.map(([k, c]) => `${k}: ${c.layout}`).join(", ")}}`,
    write(w, v) {
      if (typeof v !== "object" || v === null) w.fail(CodecErrorCode.InvalidValue, "expected an object");
      for (const [name, codec] of entries) {
        w.path.push(name);
        codec.write(w, (v as Record<string, unknown>)[name]);
        w.path.pop();
      }
    },
    read(r) {
      const out: Record<string, unknown> = {};
      for (const [name, codec] of entries) {
        r.path.push(name);
        out[name] = codec.read(r);
        r.path.pop();
      }
      return out as StructValue<F>;
    },
  };
}

type Variants = Record<string, readonly [tag: number, codec: Codec<Record<string, unknown>>]>;
export type UnionValue<V extends Variants> = {
  [K in keyof V]: { type: K } & Infer<V[K][1]>;
}[keyof V];

/**
 * Tagged union of structs: one tag byte, then the variant's fields. Values are
 * `{ type: name, ...fields }`. Tags are stable numbers: never reuse one.
 */
export function taggedUnion<V extends Variants>(
  variants: V,
): Codec<UnionValue<V>> & { tags: Record<keyof V, number> } {
  const byTag = new Map<number, [string, Codec<Record<string, unknown>>]>();
  const tags = {} as Record<keyof V, number>;
  for (const [name, [tag, codec]] of Object.entries(variants)) {
    if (!Number.isInteger(tag) || tag < 0 || tag > 255 || byTag.has(tag))
      throw new Error(`bad or duplicate tag ${tag}`);
    // A variant field named "type" would overwrite the variant name on decode.
    if ("fields" in codec && Object.hasOwn(codec.fields as object, "type"))
      throw new Error(`variant ${name} has a field named "type", which the union reserves`);
    byTag.set(tag, [name, codec]);
    tags[name as keyof V] = tag;
  }
  return {
    tags,
    layout: `union{${[...byTag].map(([t, [n]]) => `${t}: ${n}`).join(", ")}}`,
    write(w, v) {
      if (typeof v !== "object" || v === null)
        return w.fail(CodecErrorCode.InvalidValue, "expected an object");
      const type = (v as { type: unknown }).type;
      // Own keys only: "constructor" or "toString" must not resolve through the prototype.
      const variant = typeof type === "string" && Object.hasOwn(variants, type) ? variants[type] : undefined;
      if (!variant) return w.fail(CodecErrorCode.UnknownTag, `unknown variant ${String(type)}`);
      w.u8(variant[0]);
      w.path.push(type as string);
      variant[1].write(w, v as Record<string, unknown>);
      w.path.pop();
    },
    read(r) {
      const tag = r.u8();
      const entry = byTag.get(tag);
      if (!entry) {
        r.offset -= 1;
        return r.fail(CodecErrorCode.UnknownTag, `unknown tag ${tag}`);
      }
      r.path.push(entry[0]);
      const body = entry[1].read(r);
      r.path.pop();
      return { type: entry[0], ...body } as UnionValue<V>;
    },
  };
}

/** A one-byte enum of names; the index in `names` is the stable encoding. */
export function enumU8<const N extends readonly string[]>(names: N): Codec<N[number]> {
  return {
    layout: `enum{${names.join(", ")}}`,
    write(w, v) {
      const i = names.indexOf(v);
      if (i < 0) w.fail(CodecErrorCode.UnknownTag, `unknown enum value ${String(v)}`);
      w.u8(i);
    },
    read(r) {
      const i = r.u8();
      if (i >= names.length) {
        r.offset -= 1;
        r.fail(CodecErrorCode.UnknownTag, `unknown enum index ${i}`);
      }
      return names[i]!;
    },
  };
}

/** Restricts a codec's values, e.g. amounts > 0; applied on both encode and decode. */
export function refine<T>(inner: Codec<T>, check: (v: T) => string | null): Codec<T> {
  return {
    layout: inner.layout,
    write(w, v) {
      const problem = check(v);
      if (problem) w.fail(CodecErrorCode.InvalidValue, problem);
      inner.write(w, v);
    },
    read(r) {
      const start = r.offset;
      const v = inner.read(r);
      const problem = check(v);
      if (problem) {
        r.offset = start;
        r.fail(CodecErrorCode.InvalidValue, problem);
      }
      return v;
    },
  };
}
