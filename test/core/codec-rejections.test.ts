/**
 * Each rejection rule of docs/spec/encoding.md, with its stable code and the
 * field path the error names. Inputs are hand-built from the layout rules.
 */
import { describe, expect, it } from "vitest";
import { concatBytes, fromHex, utf8 } from "../../shared/bytes.ts";
import {
  array,
  bool,
  bytes,
  type Codec,
  CodecError,
  CodecErrorCode,
  decode,
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
} from "../../shared/codec/index.ts";
import { richSample, richSchema, U64_MAX, U128_MAX } from "../../scripts/gen-codec-golden.ts";

function codecError(run: () => unknown): CodecError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CodecError);
    return error as CodecError;
  }
  throw new Error("expected a CodecError, but nothing was thrown");
}

const leb = (n: number) => encode(varuint, n);

/** A wrapper that puts the codec under test at path "msg.body.<field>". */
const wrap = (key: string, codec: Codec<any>) =>
  Object.assign(struct({ msg: struct({ body: struct({ [key]: codec }) }) }), { key });
const wrapValue = (codec: { key: string }, value: unknown) => ({ msg: { body: { [codec.key]: value } } });
const PATH = "msg.body";

type DecodeRow = {
  rule: string;
  codec: Codec<any>;
  input: Uint8Array;
  code: CodecErrorCode;
  field: string;
  offset?: number;
};

const decodeRows: DecodeRow[] = [
  {
    rule: "trailing bytes after a complete value",
    codec: wrap("n", u16),
    input: fromHex("000100"),
    code: CodecErrorCode.TrailingBytes,
    field: "",
    offset: 2,
  },
  {
    rule: "unexpected end inside a u64",
    codec: wrap("n", u64),
    input: fromHex("00000000000000"),
    code: CodecErrorCode.UnexpectedEnd,
    field: `${PATH}.n`,
  },
  {
    rule: "unexpected end on empty input",
    codec: wrap("flag", bool),
    input: new Uint8Array(0),
    code: CodecErrorCode.UnexpectedEnd,
    field: `${PATH}.flag`,
    offset: 0,
  },
  {
    rule: "unexpected end inside a varuint continuation",
    codec: wrap("n", varuint),
    input: fromHex("ff"),
    code: CodecErrorCode.UnexpectedEnd,
    field: `${PATH}.n`,
  },
  {
    rule: "unexpected end inside a fixedBytes",
    codec: wrap("id", fixedBytes(4)),
    input: fromHex("010203"),
    code: CodecErrorCode.UnexpectedEnd,
    field: `${PATH}.id`,
  },
  {
    rule: "unexpected end of a bytes payload shorter than its length",
    codec: wrap("b", bytes(10)),
    input: fromHex("0501"),
    code: CodecErrorCode.UnexpectedEnd,
    field: `${PATH}.b`,
  },
  {
    rule: "non-minimal varint 0x80 0x00 (zero in two bytes)",
    codec: wrap("n", varuint),
    input: fromHex("8000"),
    code: CodecErrorCode.NonMinimalVarint,
    field: `${PATH}.n`,
  },
  {
    rule: "non-minimal varint 0xff 0x00 (127 in two bytes)",
    codec: wrap("n", varuint),
    input: fromHex("ff00"),
    code: CodecErrorCode.NonMinimalVarint,
    field: `${PATH}.n`,
  },
  {
    rule: "non-minimal varint with four padding bytes",
    codec: wrap("n", varuint),
    input: fromHex("8180808000"),
    code: CodecErrorCode.NonMinimalVarint,
    field: `${PATH}.n`,
  },
  {
    rule: "non-minimal varint as a length prefix",
    codec: wrap("s", string(10)),
    input: fromHex("8100"),
    code: CodecErrorCode.NonMinimalVarint,
    field: `${PATH}.s`,
  },
  {
    rule: "varint 2^32 (one over the maximum)",
    codec: wrap("n", varuint),
    input: fromHex("8080808010"),
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.n`,
  },
  {
    rule: "varint 2^35-1 (five full bytes)",
    codec: wrap("n", varuint),
    input: fromHex("ffffffff7f"),
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.n`,
  },
  {
    rule: "varint longer than five bytes",
    codec: wrap("n", varuint),
    input: fromHex("808080808001"),
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.n`,
  },
  {
    rule: "unknown union tag",
    codec: wrap("u", taggedUnion({ a: [1, struct({})], b: [3, struct({})] })),
    input: fromHex("02"),
    code: CodecErrorCode.UnknownTag,
    field: `${PATH}.u`,
    offset: 0,
  },
  {
    rule: "error inside a union variant names the variant",
    codec: wrap("u", taggedUnion({ pay: [1, struct({ ok: bool })] })),
    input: fromHex("0107"),
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.u.pay.ok`,
  },
  {
    rule: "unknown enum index",
    codec: wrap("e", enumU8(["a", "b"])),
    input: fromHex("02"),
    code: CodecErrorCode.UnknownTag,
    field: `${PATH}.e`,
    offset: 0,
  },
  {
    rule: "bool byte 2",
    codec: wrap("flag", bool),
    input: fromHex("02"),
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.flag`,
  },
  {
    rule: "bool byte 0xff",
    codec: wrap("flag", bool),
    input: fromHex("ff"),
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.flag`,
  },
  {
    rule: "option tag 2",
    codec: wrap("o", option(u8)),
    input: fromHex("0200"),
    code: CodecErrorCode.UnknownTag,
    field: `${PATH}.o`,
  },
  // Oversize: the length alone is rejected; no payload follows, so a reader that
  // tried to read it first would report UnexpectedEnd instead.
  {
    rule: "oversize bytes, rejected before the payload",
    codec: wrap("b", bytes(4)),
    input: leb(5),
    code: CodecErrorCode.Oversize,
    field: `${PATH}.b`,
    offset: 0,
  },
  {
    rule: "oversize string, rejected before the payload",
    codec: wrap("s", string(4)),
    input: leb(5),
    code: CodecErrorCode.Oversize,
    field: `${PATH}.s`,
    offset: 0,
  },
  {
    rule: "oversize array, rejected before the items",
    codec: wrap("list", array(u64, 2)),
    input: leb(3),
    code: CodecErrorCode.Oversize,
    field: `${PATH}.list`,
    offset: 0,
  },
  {
    rule: "huge length (2^32-1) against a small limit",
    codec: wrap("b", bytes(1024)),
    input: leb(0xffff_ffff),
    code: CodecErrorCode.Oversize,
    field: `${PATH}.b`,
    offset: 0,
  },
  {
    rule: "invalid UTF-8: lone continuation byte",
    codec: wrap("s", string(8)),
    input: fromHex("0180"),
    code: CodecErrorCode.InvalidUtf8,
    field: `${PATH}.s`,
    offset: 0,
  },
  {
    rule: "invalid UTF-8: overlong encoding of '/'",
    codec: wrap("s", string(8)),
    input: fromHex("02c0af"),
    code: CodecErrorCode.InvalidUtf8,
    field: `${PATH}.s`,
  },
  {
    rule: "invalid UTF-8: encoded surrogate U+D800",
    codec: wrap("s", string(8)),
    input: fromHex("03eda080"),
    code: CodecErrorCode.InvalidUtf8,
    field: `${PATH}.s`,
  },
  {
    rule: "invalid UTF-8: code point above U+10FFFF",
    codec: wrap("s", string(8)),
    input: fromHex("04f4908080"),
    code: CodecErrorCode.InvalidUtf8,
    field: `${PATH}.s`,
  },
  {
    rule: "invalid UTF-8: truncated four-byte sequence",
    codec: wrap("s", string(8)),
    input: fromHex("03f09f98"),
    code: CodecErrorCode.InvalidUtf8,
    field: `${PATH}.s`,
  },
  {
    rule: "error inside an array names the index",
    codec: wrap("list", array(bool, 4)),
    input: fromHex("03000105"),
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.list.2`,
  },
  {
    rule: "refined value outside its rule",
    codec: wrap(
      "n",
      refine(u8, (v) => (v > 0 ? null : "must be positive")),
    ),
    input: fromHex("00"),
    code: CodecErrorCode.InvalidValue,
    field: `${PATH}.n`,
    offset: 0,
  },
];

describe("codec decode rejections: code, field path and offset", () => {
  for (const row of decodeRows) {
    it(`rejects ${row.rule}`, () => {
      const error = codecError(() => decode(row.codec, row.input));
      expect({ code: error.code, field: error.field }).toEqual({ code: row.code, field: row.field });
      if (row.offset !== undefined) expect(error.offset).toBe(row.offset);
      expect(error.shortMessage.startsWith(row.field || "value")).toBe(true);
      expect(error.docsPath).toBe("spec/encoding.md");
    });
  }

  it("points the offset at the first byte of the offending item, after a 2-byte field", () => {
    const after = (codec: Codec<any>) => struct({ head: u16, item: codec });
    const rows: [string, Codec<any>, string][] = [
      ["non-minimal varint", varuint, "8000"],
      ["varint over 2^32-1", varuint, "8080808010"],
      ["varint of six bytes", varuint, "808080808001"],
      ["bool byte 2", bool, "02"],
      ["option tag 2", option(u8), "0200"],
      ["union tag", taggedUnion({ a: [1, struct({})] }), "09"],
      ["enum index", enumU8(["a"]), "01"],
      ["oversize length", bytes(1), "02aabb"],
      ["invalid UTF-8", string(4), "01ff"],
    ];
    for (const [what, codec, hex] of rows) {
      const error = codecError(() => decode(after(codec), concatBytes(fromHex("0000"), fromHex(hex))));
      expect({ what, offset: error.offset, field: error.field }).toEqual({ what, offset: 2, field: "item" });
    }
  });

  it("accepts the limit itself: an array of exactly maxCount items, a string of exactly maxBytes", () => {
    expect(decode(array(u8, 2), fromHex("020102"))).toEqual([1, 2]);
    expect(decode(string(4), concatBytes(leb(4), utf8("😀")))).toBe("😀");
  });

  it("rejects trailing bytes after a complete rich message", () => {
    const valid = encode(richSchema, richSample);
    const error = codecError(() => decode(richSchema, concatBytes(valid, fromHex("00"))));
    expect(error.code).toBe(CodecErrorCode.TrailingBytes);
    expect(error.offset).toBe(valid.length);
  });

  it("rejects every strict prefix of a rich message as an unexpected end", () => {
    const valid = encode(richSchema, richSample);
    for (let length = 0; length < valid.length; length++) {
      const error = codecError(() => decode(richSchema, valid.subarray(0, length)));
      expect(error.code, `prefix of ${length} bytes`).toBe(CodecErrorCode.UnexpectedEnd);
    }
  });
});

type EncodeRow = {
  rule: string;
  codec: ReturnType<typeof wrap>;
  value: unknown;
  code: CodecErrorCode;
  field: string;
};

const encodeRows: EncodeRow[] = [
  { rule: "u8 256", codec: wrap("n", u8), value: 256, code: CodecErrorCode.OutOfRange, field: `${PATH}.n` },
  { rule: "u8 -1", codec: wrap("n", u8), value: -1, code: CodecErrorCode.OutOfRange, field: `${PATH}.n` },
  { rule: "u16 1.5", codec: wrap("n", u16), value: 1.5, code: CodecErrorCode.OutOfRange, field: `${PATH}.n` },
  {
    rule: "u32 2^32",
    codec: wrap("n", u32),
    value: 2 ** 32,
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.n`,
  },
  {
    rule: "u32 NaN",
    codec: wrap("n", u32),
    value: Number.NaN,
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.n`,
  },
  {
    rule: "u64 2^64",
    codec: wrap("n", u64),
    value: U64_MAX + 1n,
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.n`,
  },
  { rule: "u64 -1n", codec: wrap("n", u64), value: -1n, code: CodecErrorCode.OutOfRange, field: `${PATH}.n` },
  {
    rule: "u64 given a number, not a bigint",
    codec: wrap("n", u64),
    value: 1,
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.n`,
  },
  {
    rule: "u128 2^128",
    codec: wrap("n", u128),
    value: U128_MAX + 1n,
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.n`,
  },
  {
    rule: "u128 -1n",
    codec: wrap("n", u128),
    value: -1n,
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.n`,
  },
  {
    rule: "varuint 2^32",
    codec: wrap("n", varuint),
    value: 2 ** 32,
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.n`,
  },
  {
    rule: "bool given 1",
    codec: wrap("flag", bool),
    value: 1,
    code: CodecErrorCode.InvalidValue,
    field: `${PATH}.flag`,
  },
  {
    rule: "fixedBytes of the wrong length",
    codec: wrap("id", fixedBytes(4)),
    value: new Uint8Array(5),
    code: CodecErrorCode.InvalidValue,
    field: `${PATH}.id`,
  },
  {
    rule: "bytes over the limit",
    codec: wrap("b", bytes(4)),
    value: new Uint8Array(5),
    code: CodecErrorCode.Oversize,
    field: `${PATH}.b`,
  },
  {
    rule: "string over the byte limit (counted in UTF-8 bytes)",
    codec: wrap("s", string(3)),
    value: "€€",
    code: CodecErrorCode.Oversize,
    field: `${PATH}.s`,
  },
  {
    rule: "string with a lone surrogate",
    codec: wrap("s", string(8)),
    value: "a\uD800",
    code: CodecErrorCode.InvalidUtf8,
    field: `${PATH}.s`,
  },
  {
    rule: "array over the limit",
    codec: wrap("list", array(u8, 2)),
    value: [1, 2, 3],
    code: CodecErrorCode.Oversize,
    field: `${PATH}.list`,
  },
  {
    rule: "array item out of range names the index",
    codec: wrap("list", array(u8, 4)),
    value: [1, 2, 300],
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.list.2`,
  },
  {
    rule: "unknown union variant",
    codec: wrap("u", taggedUnion({ a: [1, struct({})] })),
    value: { type: "b" },
    code: CodecErrorCode.UnknownTag,
    field: `${PATH}.u`,
  },
  {
    rule: "union variant named after an Object.prototype key",
    codec: wrap("u", taggedUnion({ a: [1, struct({})] })),
    value: { type: "constructor" },
    code: CodecErrorCode.UnknownTag,
    field: `${PATH}.u`,
  },
  {
    rule: "union given null",
    codec: wrap("u", taggedUnion({ a: [1, struct({})] })),
    value: null,
    code: CodecErrorCode.InvalidValue,
    field: `${PATH}.u`,
  },
  {
    rule: "field inside a union variant",
    codec: wrap("u", taggedUnion({ pay: [1, struct({ amount: u128 })] })),
    value: { type: "pay", amount: -5n },
    code: CodecErrorCode.OutOfRange,
    field: `${PATH}.u.pay.amount`,
  },
  {
    rule: "unknown enum value",
    codec: wrap("e", enumU8(["a", "b"])),
    value: "c",
    code: CodecErrorCode.UnknownTag,
    field: `${PATH}.e`,
  },
  {
    rule: "refined value outside its rule",
    codec: wrap(
      "n",
      refine(u8, (v) => (v > 0 ? null : "must be positive")),
    ),
    value: 0,
    code: CodecErrorCode.InvalidValue,
    field: `${PATH}.n`,
  },
  {
    rule: "struct given null",
    codec: wrap("inner", struct({ a: u8 })),
    value: null,
    code: CodecErrorCode.InvalidValue,
    field: `${PATH}.inner`,
  },
];

describe("codec encode rejections: out-of-range values name their field", () => {
  for (const row of encodeRows) {
    it(`rejects ${row.rule}`, () => {
      const error = codecError(() => encode(row.codec, wrapValue(row.codec, row.value)));
      expect({ code: error.code, field: error.field }).toEqual({ code: row.code, field: row.field });
    });
  }

  it("rejects a missing rich-struct field by its path", () => {
    const { nested, ...rest } = richSample;
    const broken = { ...rest, nested: { ...nested, inner: { ...nested.inner, small: undefined } } };
    const error = codecError(() => encode(richSchema, broken as unknown as typeof richSample));
    expect(error.field).toBe("nested.inner.small");
  });
});

describe("codec schema construction refuses ambiguous layouts", () => {
  it("refuses an option of an option ([0] and [1, 0] would both mean null)", () => {
    expect(() => option(option(u8))).toThrow(/option of an option/);
  });

  it("refuses a union variant with a field named type (it would overwrite the variant name)", () => {
    expect(() => taggedUnion({ a: [1, struct({ type: u8 })] })).toThrow(/reserves/);
  });

  it("refuses duplicate union tags", () => {
    expect(() => taggedUnion({ a: [1, struct({})], b: [1, struct({})] })).toThrow(/duplicate tag/);
  });
});
