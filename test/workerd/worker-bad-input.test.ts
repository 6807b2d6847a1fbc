/**
 * Bad input to every /v1 route (issue #6, Tests): the list of routes, their
 * parameters and bodies comes from the OpenAPI document the Worker serves, so
 * a new route is tested as soon as it is documented, and a route the app
 * serves but the document lacks fails the first test. Each case expects a
 * 4xx JSON error `{ error: { code, message, field } }` naming the field, and
 * the lane unchanged (height, state root, last receipt hash).
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { publicKeyFromSecret } from "../../shared/crypto/keys.ts";
import { createSigner, deriveSeed } from "../../shared/lane/index.ts";
import { signedTx, type TestAccount } from "../../shared/lane/testing.ts";
import { TX_BYTES_MAX, type TxBody } from "../../shared/stf/index.ts";
import type { Env } from "../../workers/src/env.ts";
import app from "../../workers/src/index.ts";
import { REQUEST_BODY_BYTES_MAX } from "../../workers/src/limits.ts";
import { openApiDocument } from "../../workers/src/openapi.ts";

const e = env as unknown as Env;
const devEnv = { ...e, BITLAYER_DEV: "1" } as Env;
const LANE = 21;
const accounts: TestAccount[] = Array.from({ length: 2 }, (_, i) => {
  const secretKey = deriveSeed(fromHex(e.DEVNET_ACCOUNTS_SEED), `account/${i}`);
  return { secretKey, publicKey: publicKeyFromSecret(secretKey), signer: createSigner(secretKey) };
});
const [alice, bob] = accounts as [TestAccount, TestAccount];
const KEY = new Uint8Array(32).fill(0x5a);

function body(nonce: bigint, overrides: Partial<TxBody> = {}): TxBody {
  return {
    chainId: e.CHAIN_ID,
    lane: LANE,
    sender: alice.publicKey,
    nonce,
    maxFeePerGas: 100n,
    tipPerGas: 1n,
    idempotencyKey: null,
    payload: { type: "transfer", to: bob.publicKey, amount: 5n },
    ...overrides,
  };
}
const tx = async (nonce: bigint, overrides: Partial<TxBody> = {}) =>
  toHex(await signedTx(body(nonce, overrides), accounts));

// biome-ignore lint/suspicious/noExplicitAny: JSON from the API under test
type Json = any;
type Operation = {
  summary: string;
  parameters?: { name: string; in: "path" | "query" | "header"; required: boolean; schema: Json }[];
  requestBody?: { content: { "application/json": { schema: Json } } };
  responses: Record<string, unknown>;
  "x-dev-only"?: boolean;
};
const doc = openApiDocument as unknown as { paths: Record<string, Record<string, Operation>> };
const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ method, path, op, id: `${method.toUpperCase()} ${path}` })),
);

/** Valid values of path parameters, so one bad parameter is tested at a time. Filled in beforeAll. */
const good: Record<string, string> = {
  lane: String(LANE),
  sender: toHex(alice.publicKey),
  key: toHex(KEY),
  address: toHex(alice.publicKey),
  token: "ab".repeat(32),
  id: "0",
  item: "cd".repeat(32),
};

type Case = {
  name: string;
  /** Method, path (parameters filled) and body of the request. */
  request: () => Promise<{ method: string; path: string; body?: BodyInit; headers?: Record<string, string> }>;
  status: number;
  code?: string;
  field?: string;
  env?: Env;
};

function fill(path: string, overrides: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = overrides[name] ?? good[name];
    if (value === undefined) throw new Error(`no valid value for path parameter ${name}: add one to good`);
    return encodeURIComponent(value);
  });
}

/** Bad values for a parameter, from its schema; a schema this does not know fails the test (add values). */
function badValues(name: string, schema: Json, where: string): string[] {
  if (name === "lane" && where === "path")
    return ["0", "abc", "01", "-1", "1.5", String(Number(e.LANES_MAX) + 1), "99999999999", " 1"];
  if (schema.pattern === "^(0x)?[0-9a-fA-F]{64}$")
    return ["xyz", "ab", "zz".repeat(32), "0".repeat(66), `0x${"0".repeat(62)}`, "%00"];
  if (schema.type === "string" && typeof schema.pattern === "string" && schema.pattern.includes("[0-9]"))
    // An empty path segment is another route (404), so "" is a bad value only in a query.
    return ["abc", "-1", "1.5", "1e2", "0x10", "9".repeat(20), ...(where === "path" ? [] : [""])];
  if (schema.const === "websocket") return ["h2c", "websocket2"];
  throw new Error(`no bad values known for ${where} parameter ${name} (schema ${JSON.stringify(schema)})`);
}

/** One plausible value per property, so that an extra field is the first thing wrong. */
function validish(props: Record<string, Json>): Record<string, unknown> {
  const [name, p] = Object.entries(props)[0] ?? [];
  if (!name) return {};
  return {
    [name]:
      p.type === "integer" || p.type === "number" ? (p.minimum ?? 0) : p.type === "array" ? ["00"] : "00",
  };
}

/** Bad bodies for a JSON body schema: syntax, top-level type, each property's type, bounds, extras, size. */
function badBodies(
  schema: Json,
): { name: string; raw: string; status: number; code: string; field: string }[] {
  const out: { name: string; raw: string; status: number; code: string; field: string }[] = [
    { name: "malformed JSON", raw: "{not json", status: 400, code: "invalid_json", field: "body" },
    { name: "empty body", raw: "", status: 400, code: "invalid_json", field: "body" },
    { name: "JSON null", raw: "null", status: 400, code: "invalid_body", field: "body" },
    { name: "JSON array", raw: "[]", status: 400, code: "invalid_body", field: "body" },
    { name: "JSON number", raw: "42", status: 400, code: "invalid_body", field: "body" },
  ];
  const props: Record<string, Json> = schema.properties ?? {};
  for (const [prop, p] of Object.entries(props)) {
    const wrong = p.type === "string" ? 42 : p.type === "array" ? "not-an-array" : p.enum ? "nope" : { x: 1 };
    out.push({
      name: `${prop}: wrong type`,
      raw: JSON.stringify({ [prop]: wrong }),
      status: 400,
      code: "invalid_body",
      field: prop,
    });
    if (p.type === "string" && typeof p.maxLength === "number")
      out.push({
        name: `${prop}: longer than ${p.maxLength}`,
        raw: JSON.stringify({ [prop]: "0".repeat(p.maxLength + 2) }),
        status: 400,
        code: "invalid_body",
        field: prop,
      });
    if (p.type === "array" && typeof p.maxItems === "number")
      out.push({
        name: `${prop}: ${p.maxItems + 1} items (oversize batch)`,
        raw: JSON.stringify({ [prop]: Array.from({ length: p.maxItems + 1 }, () => "00") }),
        status: 400,
        code: "invalid_body",
        field: prop,
      });
    if ((p.type === "integer" || p.type === "number") && typeof p.maximum === "number")
      out.push({
        name: `${prop}: above ${p.maximum}`,
        raw: JSON.stringify({ [prop]: p.maximum + 1 }),
        status: 400,
        code: "invalid_body",
        field: prop,
      });
    if ((p.type === "integer" || p.type === "number") && typeof p.minimum === "number")
      out.push({
        name: `${prop}: below ${p.minimum}`,
        raw: JSON.stringify({ [prop]: p.minimum - 1 }),
        status: 400,
        code: "invalid_body",
        field: prop,
      });
    if (p.type === "integer")
      out.push({
        name: `${prop}: not an integer`,
        raw: JSON.stringify({ [prop]: 1.5 }),
        status: 400,
        code: "invalid_body",
        field: prop,
      });
    if (p.type === "array" && typeof p.minItems === "number" && p.minItems > 0)
      out.push({
        name: `${prop}: empty`,
        raw: JSON.stringify({ [prop]: [] }),
        status: 400,
        code: "invalid_body",
        field: prop,
      });
    if (p.type === "array" && p.items?.type === "string")
      out.push({
        name: `${prop}: element of the wrong type`,
        raw: JSON.stringify({ [prop]: ["00", 7] }),
        status: 400,
        code: "invalid_body",
        field: `${prop}.1`,
      });
  }
  if (schema.additionalProperties === false)
    out.push({
      name: "unknown field",
      raw: JSON.stringify({ ...validish(props), surprise: 1 }),
      status: 400,
      code: "invalid_body",
      field: "surprise",
    });
  for (const prop of schema.required ?? [])
    out.push({ name: `missing ${prop}`, raw: "{}", status: 400, code: "invalid_body", field: prop });
  return out;
}

/** Every case derived from the document, plus the transaction-specific ones below. */
function casesFor(o: (typeof operations)[number]): Case[] {
  const method = o.method.toUpperCase();
  const caseEnv = o.op["x-dev-only"] ? devEnv : e;
  const cases: Case[] = [];
  const params = o.op.parameters ?? [];
  const validQuery = () => {
    const q = new URLSearchParams();
    for (const p of params)
      if (p.in === "query" && p.required) q.set(p.name, p.name === "lane" ? String(LANE) : "1");
    return q;
  };
  const validHeaders = () =>
    Object.fromEntries(params.filter((p) => p.in === "header").map((p) => [p.name, String(p.schema.const)]));
  const validBody = o.op.requestBody ? JSON.stringify({ tx: "00" }) : undefined;
  for (const p of params) {
    for (const bad of badValues(p.name, p.schema, p.in)) {
      const name = `${p.in} ${p.name} = ${JSON.stringify(bad)}`;
      if (p.in === "path")
        cases.push({
          name,
          request: async () => ({
            method,
            path: fill(o.path, { [p.name]: bad }),
            body: validBody,
            headers: validHeaders(),
          }),
          status: 400,
          field: p.name,
          env: caseEnv,
        });
      else if (p.in === "query")
        cases.push({
          name,
          request: async () => {
            const q = validQuery();
            q.set(p.name, bad);
            return { method, path: `${fill(o.path)}?${q}`, body: validBody, headers: validHeaders() };
          },
          status: 400,
          code: "invalid_query",
          field: p.name,
          env: caseEnv,
        });
      else
        cases.push({
          name,
          request: async () => ({
            method,
            path: fill(o.path),
            headers: { ...validHeaders(), [p.name]: bad },
          }),
          status: 400,
          field: p.name,
          env: caseEnv,
        });
    }
    if (p.required && p.in !== "path")
      cases.push({
        name: `${p.in} ${p.name} missing`,
        request: async () => {
          const q = validQuery();
          q.delete(p.name);
          const headers = validHeaders();
          delete headers[p.name];
          return { method, path: `${fill(o.path)}${q.size > 0 ? `?${q}` : ""}`, headers };
        },
        status: 400,
        field: p.name,
        env: caseEnv,
      });
  }
  const bodySchema = o.op.requestBody?.content["application/json"].schema;
  if (bodySchema) {
    for (const b of badBodies(bodySchema))
      cases.push({
        name: `body: ${b.name}`,
        request: async () => ({
          method,
          path: fill(o.path),
          body: b.raw,
          headers: { "content-type": "application/json" },
        }),
        status: b.status,
        code: b.code,
        field: b.field,
        env: caseEnv,
      });
    cases.push({
      name: `body: over ${REQUEST_BODY_BYTES_MAX} bytes`,
      request: async () => ({
        method,
        path: fill(o.path),
        body: JSON.stringify({ tx: "0".repeat(REQUEST_BODY_BYTES_MAX) }),
        headers: { "content-type": "application/json" },
      }),
      status: 413,
      code: "body_too_large",
      env: caseEnv,
    });
    cases.push({
      name: `body: over ${REQUEST_BODY_BYTES_MAX} bytes, streamed without Content-Length`,
      request: async () => {
        const chunk = new TextEncoder().encode("0".repeat(64 * 1024));
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent > REQUEST_BODY_BYTES_MAX) return controller.close();
            const part = sent === 0 ? new TextEncoder().encode('{"tx":"') : chunk;
            controller.enqueue(part);
            sent += part.length;
          },
        });
        return { method, path: fill(o.path), body: stream, headers: { "content-type": "application/json" } };
      },
      status: 413,
      code: "body_too_large",
      env: caseEnv,
    });
  }
  if (o.op.responses["404"] && !o.op["x-dev-only"]) {
    const unknown = Object.fromEntries(
      params
        .filter((p) => p.in === "path" && p.name !== "lane")
        .map((p) => [p.name, p.schema.pattern === "^(0x)?[0-9a-fA-F]{64}$" ? "ee".repeat(32) : "4242424242"]),
    );
    cases.push({
      name: "unknown record (well-formed)",
      request: async () => ({ method, path: fill(o.path, unknown), headers: validHeaders() }),
      status: 404,
      code: "not_found",
      env: caseEnv,
    });
  }
  if (o.op["x-dev-only"])
    cases.push({
      name: "dev route without BITLAYER_DEV",
      request: async () => ({ method, path: `${fill(o.path)}?${validQuery()}` }),
      status: 404,
      code: "not_found",
      env: e,
    });
  cases.push({
    name: "wrong method",
    request: async () => ({ method: method === "GET" ? "DELETE" : "PUT", path: fill(o.path) }),
    status: 404,
    code: "not_found",
    env: caseEnv,
  });
  return cases;
}

/** Transaction-level bad input to POST /txs: well-formed JSON, refused by the lane. */
const txCases: {
  name: string;
  make: () => Promise<unknown>;
  status: number;
  code: string;
  field: string;
  reason?: string;
}[] = [
  { name: "neither tx nor txs", make: async () => ({}), status: 400, code: "invalid_body", field: "tx" },
  {
    name: "both tx and txs",
    make: async () => ({ tx: "00", txs: ["00"] }),
    status: 400,
    code: "invalid_body",
    field: "tx",
  },
  { name: "odd hex", make: async () => ({ tx: "abc" }), status: 400, code: "invalid_encoding", field: "tx" },
  {
    name: "bad base64",
    make: async () => ({ tx: "!!!!", encoding: "base64" }),
    status: 400,
    code: "invalid_encoding",
    field: "tx",
  },
  {
    name: "batch element not hex",
    make: async () => ({ txs: [await tx(2n), "zz"] }),
    status: 400,
    code: "invalid_encoding",
    field: "txs.1",
  },
  {
    name: "undecodable tx",
    make: async () => ({ tx: "0102" }),
    status: 422,
    code: "tx_rejected",
    field: "tx",
    reason: "Malformed",
  },
  {
    name: "tx over TX_BYTES_MAX",
    make: async () => ({ tx: "00".repeat(TX_BYTES_MAX + 1) }),
    status: 422,
    code: "tx_rejected",
    field: "tx",
  },
  {
    name: "bad signature",
    make: async () => {
      const t = await tx(2n);
      return { tx: t.slice(0, -2) + (t.endsWith("00") ? "01" : "00") };
    },
    status: 422,
    code: "tx_rejected",
    field: "tx",
    reason: "SignatureInvalid",
  },
  {
    name: "wrong chain id",
    make: async () => ({ tx: await tx(2n, { chainId: "elsewhere" }) }),
    status: 422,
    code: "tx_rejected",
    field: "tx",
    reason: "ChainMismatch",
  },
  {
    name: "wrong lane id",
    make: async () => ({ tx: await tx(2n, { lane: LANE + 1 }) }),
    status: 422,
    code: "tx_rejected",
    field: "tx",
    reason: "LaneMismatch",
  },
  {
    name: "replayed nonce (new bytes)",
    make: async () => ({ tx: await tx(0n, { maxFeePerGas: 99n }) }),
    status: 422,
    code: "tx_rejected",
    field: "tx",
    reason: "NonceTooLow",
  },
  {
    name: "nonce from the future",
    make: async () => ({ tx: await tx(9n) }),
    status: 422,
    code: "tx_rejected",
    field: "tx",
  },
  {
    name: "fee cap below the base fee",
    make: async () => ({ tx: await tx(2n, { maxFeePerGas: 0n, tipPerGas: 0n }) }),
    status: 422,
    code: "tx_rejected",
    field: "tx",
  },
];

async function laneState() {
  const s = await e.SEQUENCER.getByName(String(LANE)).status();
  return { height: s.height, stateRoot: s.stateRoot, lastReceiptHash: s.lastReceiptHash };
}

async function send(r: Awaited<ReturnType<Case["request"]>>, caseEnv: Env): Promise<Response> {
  return app.request(r.path, { method: r.method, body: r.body ?? null, headers: r.headers ?? {} }, caseEnv);
}

async function expectError(res: Response, status: number, code?: string, field?: string): Promise<Json> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  const j = JSON.parse(text);
  expect(typeof j.error.code).toBe("string");
  expect(typeof j.error.message).toBe("string");
  if (code) expect(j.error.code).toBe(code);
  if (field) expect(j.error.field).toBe(field);
  return j;
}

beforeAll(async () => {
  // Two committed transactions (one with an idempotency key): receipts exist, nonce 0 is taken.
  const r = await app.request(
    `/v1/lanes/${LANE}/txs`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ txs: [await tx(0n, { idempotencyKey: KEY }), await tx(1n)] }),
    },
    e,
  );
  expect(r.status).toBe(200);
  const j = (await r.json()) as Json;
  good.hash = j.results[0].receipt.receipt.txHash;
});

describe("the OpenAPI document is the list of routes", () => {
  it("GET /v1/openapi.json serves it", async () => {
    const r = await app.request("/v1/openapi.json", {}, e);
    expect(await r.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
  });

  it("documents exactly the routes the app serves", () => {
    const served = new Set(
      app.routes
        .filter((r) => r.method !== "ALL")
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    expect([...served].sort()).toEqual(operations.map((o) => o.id).sort());
  });
});

describe("bad input to every route: 4xx JSON naming the field, lane unchanged", () => {
  for (const o of operations) {
    const cases = casesFor(o);
    const hasInput = (o.op.parameters?.length ?? 0) > 0 || o.op.requestBody !== undefined;
    describe(o.id, () => {
      it("has a bad-input case for every parameter and body it documents", () => {
        for (const p of o.op.parameters ?? [])
          expect(cases.some((c) => c.name.startsWith(`${p.in} ${p.name} `))).toBe(true);
        if (o.op.requestBody) expect(cases.some((c) => c.name.startsWith("body:"))).toBe(true);
        // A route without inputs still answers a wrong method with a JSON 404.
        expect(cases.length).toBeGreaterThanOrEqual(hasInput ? 2 : 1);
      });
      for (const c of cases)
        it(c.name, async () => {
          const before = await laneState();
          const res = await send(await c.request(), c.env ?? e);
          const j = await expectError(res, c.status, c.code, c.field);
          if (c.status === 400 && c.code === undefined)
            expect(j.error.code).toMatch(/^(invalid_|websocket_required)/);
          expect(await laneState()).toEqual(before);
        });
    });
  }

  describe("POST /v1/lanes/{lane}/txs: transactions the lane refuses", () => {
    for (const c of txCases)
      it(c.name, async () => {
        const before = await laneState();
        const res = await app.request(
          `/v1/lanes/${LANE}/txs`,
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(await c.make()),
          },
          e,
        );
        const j = await expectError(res, c.status, c.code, c.field);
        if (c.reason) expect(j.error.reason).toBe(c.reason);
        expect(await laneState()).toEqual(before);
      });

    it("a batch of refused transactions: 200 with each one's reason, nothing applied", async () => {
      const before = await laneState();
      const t = await tx(2n);
      const badSig = t.slice(0, -2) + (t.endsWith("00") ? "01" : "00");
      const res = await app.request(
        `/v1/lanes/${LANE}/txs`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            txs: [
              badSig,
              await tx(2n, { chainId: "elsewhere" }),
              await tx(2n, { lane: LANE + 1 }),
              await tx(0n, { tipPerGas: 2n }),
            ],
          }),
        },
        e,
      );
      expect(res.status).toBe(200);
      const j = (await res.json()) as Json;
      expect(j.results.map((r: Json) => [r.index, r.status, r.reason])).toEqual([
        [0, "rejected", "SignatureInvalid"],
        [1, "rejected", "ChainMismatch"],
        [2, "rejected", "LaneMismatch"],
        [3, "rejected", "NonceTooLow"],
      ]);
      expect(await laneState()).toEqual(before);
    });

    it("the same bytes again are not applied twice: the stored receipt, duplicate", async () => {
      const before = await laneState();
      const again = await tx(1n);
      const res = await app.request(
        `/v1/lanes/${LANE}/txs`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ tx: again }),
        },
        e,
      );
      expect(res.status).toBe(200);
      expect(((await res.json()) as Json).duplicate).toBe(true);
      expect(await laneState()).toEqual(before);
    });
  });

  it("an unknown route is a JSON 404", async () => {
    await expectError(await app.request("/v1/nope", {}, e), 404, "not_found");
    await expectError(await app.request("/v2/lanes/1/status", {}, e), 404, "not_found");
  });
});
