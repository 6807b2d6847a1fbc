/**
 * Golden vectors of the canonical codec and of the sign-bytes domain
 * (docs/spec/encoding.md, docs/spec/README.md). Regenerate with
 *
 *   npx tsx scripts/gen-codec-golden.ts      (or: node scripts/gen-codec-golden.ts)
 *
 * which rewrites test/golden/codec-vectors.json and
 * test/golden/domain-signbytes.json. test/core/codec-golden.test.ts and
 * test/core/domain-signbytes.test.ts check them in Node and workerd. A changed
 * output is a consensus change: every signature and hash depends on it.
 *
 * The module only exports data when imported (the tests import the catalog);
 * it writes files only when run directly, so it holds no top-level Node import.
 */
import { toHex } from "../shared/bytes.ts";
import {
  array,
  bool,
  bytes,
  type Codec,
  encode,
  enumU8,
  fixedBytes,
  option,
  refine,
  string,
  struct,
  taggedUnion,
  u8,
  u16,
  u32,
  u64,
  u128,
  varuint,
} from "../shared/codec/index.ts";
import { type Domain, MAX_CHAIN_ID_BYTES, MessageType, signBytes } from "../shared/domain.ts";

export const U64_MAX = (1n << 64n) - 1n;
export const U128_MAX = (1n << 128n) - 1n;
export const VARUINT_MAX = 0xffff_ffff;

/** A small struct nested at several depths of the rich schema. */
export const innerSchema = struct({ flag: bool, small: u8, id: fixedBytes(4) });

export const actionSchema = taggedUnion({
  noop: [0, struct({})],
  pay: [7, struct({ to: fixedBytes(4), amount: u128 })],
  note: [255, struct({ text: string(16), refs: array(u32, 2) })],
});

/** Every primitive and combinator of shared/codec in one message. */
export const richSchema = struct({
  a8: u8,
  a16: u16,
  a32: u32,
  a64: u64,
  a128: u128,
  flag: bool,
  count: varuint,
  hash: fixedBytes(32),
  blob: bytes(64),
  text: string(48),
  labels: array(string(8), 4),
  nested: struct({ inner: innerSchema, list: array(innerSchema, 3), maybe: option(innerSchema) }),
  maybeAmount: option(u128),
  kind: enumU8(["alpha", "beta", "gamma"]),
  action: actionSchema,
  actions: array(actionSchema, 3),
  positive: refine(u64, (v) => (v > 0n ? null : "must be positive")),
});

const seq = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

export const richSample = {
  a8: 255,
  a16: 0x1234,
  a32: 0xdeadbeef,
  a64: U64_MAX,
  a128: (1n << 64n) + 1n,
  flag: true,
  count: 300,
  hash: seq(32),
  blob: seq(5, 0xf0),
  text: "\uFEFFhé😀",
  labels: ["", "a", "ä"],
  nested: {
    inner: { flag: false, small: 0, id: seq(4, 9) },
    list: [{ flag: true, small: 1, id: seq(4) }],
    maybe: null,
  },
  maybeAmount: U128_MAX,
  kind: "gamma" as const,
  action: { type: "note" as const, text: "memo", refs: [1, 0xffff_ffff] },
  actions: [{ type: "noop" as const }, { type: "pay" as const, to: seq(4, 0xaa), amount: 10n }],
  positive: 1n,
};

export type GoldenCase = { name: string; codec: Codec<any>; value: unknown };

/** The codec golden catalog: primitive edges first, then composites. Append only. */
export const codecGoldenCases: GoldenCase[] = [
  { name: "u8 zero", codec: u8, value: 0 },
  { name: "u8 max", codec: u8, value: 255 },
  { name: "u16 big-endian", codec: u16, value: 0x1234 },
  { name: "u16 max", codec: u16, value: 0xffff },
  { name: "u32 big-endian", codec: u32, value: 0x01020304 },
  { name: "u32 max", codec: u32, value: 0xffff_ffff },
  { name: "u64 zero", codec: u64, value: 0n },
  { name: "u64 2^32", codec: u64, value: 1n << 32n },
  { name: "u64 max", codec: u64, value: U64_MAX },
  { name: "u128 zero", codec: u128, value: 0n },
  { name: "u128 2^64 (carries into the high word)", codec: u128, value: 1n << 64n },
  { name: "u128 2^64-1 (low word only)", codec: u128, value: U64_MAX },
  { name: "u128 max", codec: u128, value: U128_MAX },
  { name: "bool false", codec: bool, value: false },
  { name: "bool true", codec: bool, value: true },
  { name: "varuint 0", codec: varuint, value: 0 },
  { name: "varuint 127 (largest one-byte)", codec: varuint, value: 127 },
  { name: "varuint 128 (smallest two-byte)", codec: varuint, value: 128 },
  { name: "varuint 300", codec: varuint, value: 300 },
  { name: "varuint 16383 (largest two-byte)", codec: varuint, value: 16383 },
  { name: "varuint 16384 (smallest three-byte)", codec: varuint, value: 16384 },
  { name: "varuint 2^28 (smallest five-byte)", codec: varuint, value: 2 ** 28 },
  { name: "varuint 2^32-1 (max)", codec: varuint, value: VARUINT_MAX },
  { name: "fixedBytes(4)", codec: fixedBytes(4), value: seq(4, 0xfe) },
  { name: "fixedBytes(0)", codec: fixedBytes(0), value: new Uint8Array(0) },
  { name: "bytes empty", codec: bytes(64), value: new Uint8Array(0) },
  { name: "bytes 3", codec: bytes(64), value: seq(3, 1) },
  { name: "bytes 128 (two-byte length)", codec: bytes(200), value: seq(128) },
  { name: "string empty", codec: string(48), value: "" },
  { name: "string ASCII", codec: string(48), value: "bitlayer" },
  { name: "string with a leading BOM (kept)", codec: string(48), value: "\uFEFFabc" },
  { name: "string two-, three- and four-byte UTF-8", codec: string(48), value: "é€😀" },
  { name: "string NUL inside", codec: string(48), value: "a\u0000b" },
  { name: "string not normalized (e + combining acute)", codec: string(48), value: "e\u0301" },
  { name: "array empty", codec: array(u16, 4), value: [] },
  { name: "array of u16", codec: array(u16, 4), value: [1, 2, 0xffff] },
  { name: "array of strings", codec: array(string(8), 4), value: ["", "a", "ä"] },
  { name: "option none", codec: option(u128), value: null },
  { name: "option some zero", codec: option(u128), value: 0n },
  { name: "option some struct", codec: option(innerSchema), value: { flag: true, small: 7, id: seq(4) } },
  { name: "enum first", codec: enumU8(["alpha", "beta", "gamma"]), value: "alpha" },
  { name: "enum last", codec: enumU8(["alpha", "beta", "gamma"]), value: "gamma" },
  { name: "union empty variant, tag 0", codec: actionSchema, value: { type: "noop" } },
  { name: "union tag 7", codec: actionSchema, value: { type: "pay", to: seq(4), amount: 1n } },
  {
    name: "union tag 255",
    codec: actionSchema,
    value: { type: "note", text: "x", refs: [0, 0xffff_ffff] },
  },
  { name: "struct empty", codec: struct({}), value: {} },
  { name: "struct fields in schema order", codec: struct({ b: u8, a: u16 }), value: { b: 1, a: 2 } },
  { name: "rich struct", codec: richSchema, value: richSample },
];

/** JSON has no bigint or bytes: bigints become decimal strings with an "n", bytes become "0x…". */
export function displayValue(value: unknown): unknown {
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return `0x${toHex(value)}`;
  if (Array.isArray(value)) return value.map(displayValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, displayValue(v)]));
  }
  return value;
}

export function codecGoldenFile() {
  return {
    description:
      "Canonical codec golden vectors (docs/spec/encoding.md): value → hex. Regenerate: npx tsx scripts/gen-codec-golden.ts",
    valueNotation: "bigint as decimal string ending in n; bytes as 0x-prefixed hex",
    vectors: codecGoldenCases.map((c) => ({
      name: c.name,
      layout: c.codec.layout,
      value: displayValue(c.value),
      hex: toHex(encode(c.codec, c.value)),
    })),
  };
}

type SignBytesCase = {
  name: string;
  messageType: keyof typeof MessageType;
  domain: Domain;
  body: Uint8Array;
};

const longChainId = "c".repeat(MAX_CHAIN_ID_BYTES);

/** One vector per message type, plus the edges of the domain fields. Append only. */
export const signBytesGoldenCases: SignBytesCase[] = [
  ...Object.keys(MessageType).map((type, i) => ({
    name: `${type} on bitlayer-devnet lane ${i % 3}`,
    messageType: type as keyof typeof MessageType,
    domain: { chainId: "bitlayer-devnet", lane: i % 3 },
    body: seq(8, i * 16),
  })),
  {
    name: "empty chain id, empty body",
    messageType: "LaneTx",
    domain: { chainId: "", lane: 1 },
    body: new Uint8Array(0),
  },
  {
    name: "chain id of the maximum 64 bytes, lane 2^32-1",
    messageType: "Receipt",
    domain: { chainId: longChainId, lane: 0xffff_ffff },
    body: seq(3),
  },
  {
    name: "non-ASCII chain id (length counts UTF-8 bytes)",
    messageType: "ChannelVoucher",
    domain: { chainId: "bitlayer-ü", lane: 7 },
    body: seq(2, 0x80),
  },
];

export function signBytesGoldenFile() {
  return {
    description:
      'sign-bytes = "BTLR" || u8 version || u8 messageType || string(chainId) || u32 lane || body (shared/domain.ts, docs/spec/README.md). Regenerate: npx tsx scripts/gen-codec-golden.ts',
    vectors: signBytesGoldenCases.map((c) => ({
      name: c.name,
      messageType: c.messageType,
      messageTypeTag: MessageType[c.messageType],
      chainId: c.domain.chainId,
      lane: c.domain.lane,
      body: toHex(c.body),
      signBytes: toHex(signBytes(MessageType[c.messageType], c.domain, c.body)),
    })),
  };
}

async function writeGoldenFiles(): Promise<void> {
  const { writeFileSync } = await import("node:fs");
  const write = (name: string, data: unknown) =>
    writeFileSync(new URL(`../test/golden/${name}`, import.meta.url), `${JSON.stringify(data, null, 2)}\n`);
  write("codec-vectors.json", codecGoldenFile());
  write("domain-signbytes.json", signBytesGoldenFile());
}

// Only when run as a script; tests import the catalog without touching the file system.
if (typeof process !== "undefined" && process.argv?.[1] && import.meta.filename === process.argv[1]) {
  await writeGoldenFiles();
}
