/**
 * The settlement HTTP API through app.request() over the in-memory backend,
 * with real Ed25519-signed transactions: each route's success shape, bad
 * input to each route (a 4xx JSON error naming the field, state unchanged),
 * rate limiting and the OpenAPI document.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../shared/bytes.ts";
import {
  formatAddress,
  generateKeyPair,
  setNativeVerifier,
  sign,
  verifySignature,
  webCryptoVerifier,
} from "../../shared/crypto/index.ts";
import { installNodeVerifier } from "../../settlement-node/crypto/node-verifier.ts";
import { type CheckpointProof, verifyCheckpointProof } from "../../shared/sdk/verifyCheckpointProof.ts";
import { bytesToWire } from "../../shared/sdk/wire.ts";
import { createSettlementApi } from "../../settlement-node/api/app.ts";
import { API_ROUTES } from "../../settlement-node/api/openapi.ts";
import { valueIdOf } from "../../settlement-node/consensus/messages.ts";
import { decodeBlock } from "../../settlement-node/node/block.ts";
import {
  InMemorySettlementBackend,
  signCheckpoint,
  signSettlementTx,
  testKeyPair,
  testNetwork,
} from "../../settlement-node/api/testing.ts";
import { accountAddressOf } from "../../settlement-node/ledger/address.ts";
import { checkpointPayload, laneTxBytes } from "../../settlement-node/ledger/harness.ts";
import { batchHashOf, settlementTxHash } from "../../settlement-node/ledger/tx.ts";
import { batchDataOf, encodeBlock } from "../../shared/lane/batch.ts";

const network = testNetwork();
const [alice, bob] = network.accounts as [(typeof network.accounts)[0], (typeof network.accounts)[0]];
const sequencer = testKeyPair("sequencer");
const addr = (k: { publicKey: Uint8Array }) => formatAddress(accountAddressOf(k.publicKey));
const post = (body: unknown, type = "application/json") => ({
  method: "POST",
  headers: { "content-type": type },
  body: (typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body)) as BodyInit,
});
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

let backend: InMemorySettlementBackend;
let app: ReturnType<typeof createSettlementApi>;
let chainId: string;
/** Checkpoint 0's batch data: one lane block of one transaction. */
let batchData: Uint8Array;

/** Everything a refused request must leave alone. */
const snapshot = () => ({
  height: backend.latestHeight(),
  mempool: backend.mempoolSize(),
  root: toHex(backend.ledgerState.tree.root),
});

async function submit(tx: Uint8Array) {
  return app.request("/v1/txs", post({ tx: bytesToWire(tx, "hex") }));
}

beforeAll(async () => {
  backend = new InMemorySettlementBackend({ network });
  app = createSettlementApi(backend, { rateLimit: false });
  chainId = backend.chainId;
  // Block 1: a transfer and a lane opening; block 2: a deposit and the lane's first checkpoint.
  expect(
    (
      await submit(
        signSettlementTx(chainId, alice, 0n, {
          type: "transfer",
          to: accountAddressOf(bob.publicKey),
          amount: 250n,
        }),
      )
    ).status,
  ).toBe(202);
  const openLane = signSettlementTx(chainId, bob, 0n, {
    type: "openLane",
    sequencer: sequencer.publicKey,
    bond: 500n,
    challengeWindowBlocks: 3n,
    genesisRoot: new Uint8Array(32),
    forcedInclusionBlocks: 3n,
    genesisEscrow: 0n,
  });
  expect((await submit(openLane)).status).toBe(202);
  await backend.commitBlock();
  const deposit = signSettlementTx(chainId, alice, 1n, {
    type: "depositToLane",
    lane: 1,
    recipient: new Uint8Array(32).fill(7),
    amount: 1000n,
  });
  batchData = batchDataOf([
    encodeBlock({
      header: {
        chainId,
        lane: 1,
        height: 1n,
        timestampMs: 1_000n,
        sequencer: new Uint8Array(32).fill(3),
        baseFeePerGas: 1n,
      },
      deposits: [],
      txs: [laneTxBytes(1, 0n, chainId)],
    }),
  ]);
  const checkpoint = signSettlementTx(
    chainId,
    bob,
    1n,
    signCheckpoint(
      chainId,
      sequencer,
      checkpointPayload({
        lane: 1,
        index: 0n,
        prevRoot: new Uint8Array(32),
        newRoot: new Uint8Array(32).fill(9),
        sequencer: sequencer.publicKey,
        batchData,
      }),
    ),
  );
  expect((await submit(deposit)).status).toBe(202);
  expect((await submit(checkpoint)).status).toBe(202);
  await backend.commitBlock();
});

describe("success shapes", () => {
  it("POST /v1/txs accepts hex JSON, base64 JSON and raw bytes, answering 202 with the tx hash", async () => {
    const hexTx = signSettlementTx(chainId, alice, 2n, {
      type: "transfer",
      to: accountAddressOf(bob.publicKey),
      amount: 1n,
    });
    const b64Tx = signSettlementTx(chainId, alice, 3n, {
      type: "transfer",
      to: accountAddressOf(bob.publicKey),
      amount: 2n,
    });
    const rawTx = signSettlementTx(chainId, alice, 4n, {
      type: "transfer",
      to: accountAddressOf(bob.publicKey),
      amount: 3n,
    });
    const r1 = await submit(hexTx);
    const r2 = await app.request("/v1/txs", post({ tx: bytesToWire(b64Tx, "base64") }));
    const r3 = await app.request("/v1/txs", post(rawTx, "application/octet-stream"));
    for (const r of [r1, r2, r3]) expect(r.status).toBe(202);
    expect((await json(r1)).hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(backend.mempoolSize()).toBe(3);
    const block = await backend.commitBlock();
    expect(block.receipts?.map((r) => r.status)).toEqual([0, 0, 0]);
  });

  it("GET /v1/txs/:hash gives a committed transaction's block, position and verdict", async () => {
    const block = backend.block(1n)!;
    const hash = settlementTxHash(block.txs[1]!);
    const body = await json(app.request(`/v1/txs/0x${toHex(hash).toUpperCase()}`));
    expect(body).toEqual({
      hash: `0x${toHex(hash)}`,
      state: "committed",
      height: "1",
      blockHash: `0x${toHex(block.hash)}`,
      index: 1,
      status: 0,
      statusName: "Ok",
      feePaid: String(block.receipts![1]!.feePaid),
    });
  });

  it("GET /v1/txs/:hash?waitMs= holds the request until the block with the transaction commits", async () => {
    const carol = network.accounts[2]!;
    const tx = signSettlementTx(chainId, carol, 0n, {
      type: "transfer",
      to: accountAddressOf(bob.publicKey),
      amount: 1n,
    });
    const hash = `0x${toHex(settlementTxHash(tx))}`;
    expect((await submit(tx)).status).toBe(202);
    expect(await json(app.request(`/v1/txs/${hash}`))).toEqual({ hash, state: "pending" });
    let answered = false;
    const waiting = json(app.request(`/v1/txs/${hash}?waitMs=10000`)).then((b) => {
      answered = true;
      return b;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(answered).toBe(false);
    const committed = await backend.commitBlock();
    const body = await waiting;
    expect(body).toMatchObject({ hash, state: "committed", height: String(committed.height), status: 0 });
    expect(body.blockHash).toBe(`0x${toHex(committed.hash)}`);
  });

  it("GET /v1/txs/:hash?waitMs= for a transaction that never comes is a 404 once the wait is over", async () => {
    const unknown = `0x${"ab".repeat(32)}`;
    const t0 = performance.now();
    const res = await app.request(`/v1/txs/${unknown}?waitMs=60`);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(50);
    expect(res.status).toBe(404);
    expect((await json(res)).error).toMatchObject({ code: "tx_not_found", field: "hash" });
  });

  it("GET /v1/status reports the chain, height and own address", async () => {
    const body = await json(app.request("/v1/status"));
    expect(body).toEqual({
      chainId,
      height: String(backend.latestHeight()),
      lastBlockHash: `0x${toHex(backend.block(backend.latestHeight())!.hash)}`,
      address: addr(network.validators[0]!),
      catchingUp: false,
      peers: 3,
    });
  });

  it("GET /v1/blocks/:height and /latest return the block, receipts and a certificate of every validator", async () => {
    const latest = await json(app.request("/v1/blocks/latest"));
    const two = await json(app.request("/v1/blocks/2"));
    expect(latest.height).toBe(String(backend.latestHeight()));
    expect(two.height).toBe("2");
    expect(two.txs).toHaveLength(2);
    expect(two.receipts.map((r: { statusName: string }) => r.statusName)).toEqual(["Ok", "Ok"]);
    expect(two.certificate.valueId).toBe(two.hash);
    expect(two.certificate.precommits).toHaveLength(network.validators.length);
    expect(two.lastBlockHash).toBe((await json(app.request("/v1/blocks/1"))).hash);
    // encoded is the block consensus decided: its value id is the hash, its fields are the answer's.
    const encoded = fromHex(two.encoded.slice(2));
    expect(`0x${toHex(valueIdOf(encoded))}`).toBe(two.hash);
    const decoded = decodeBlock(encoded);
    expect(String(decoded.height)).toBe(two.height);
    expect(String(decoded.timeMs)).toBe(two.timeMs);
    expect(`0x${toHex(decoded.proposer)}`).toBe(two.proposer);
    expect(decoded.txs.map((tx) => `0x${toHex(tx)}`)).toEqual(two.txs.map((t: { bytes: string }) => t.bytes));
    expect(`0x${toHex(decoded.lastCommit!.valueId)}`).toBe(two.lastBlockHash);
    expect(`0x${toHex(decoded.appHashPrev)}`).toBe((await json(app.request("/v1/blocks/1"))).appHash);
  });

  it("GET /v1/accounts/:address gives balance and nonce as decimal strings", async () => {
    const body = await json(app.request(`/v1/accounts/${addr(alice)}`));
    const account = backend.ledgerState;
    expect(body).toEqual({ address: addr(alice), balance: expect.any(String), nonce: "5" });
    // 1,000,000 − 250 − 1,000 − (1 + 2 + 3) − 5 fees of 1.
    expect(BigInt(body.balance)).toBe(1_000_000n - 250n - 1000n - 6n - 5n);
    expect(account.height).toBe(backend.latestHeight());
  });

  it("GET /v1/validators lists every validator with stake and power", async () => {
    const body = await json(app.request("/v1/validators"));
    expect(body.validators).toHaveLength(4);
    for (const v of body.validators) {
      expect(v.status).toBe("active");
      expect(BigInt(v.stake)).toBeGreaterThanOrEqual(10_000n);
      expect(BigInt(v.power)).toBeGreaterThan(0n);
    }
  });

  it("GET /v1/lanes and /v1/lanes/:id show the opened lane with its escrow", async () => {
    const list = await json(app.request("/v1/lanes"));
    expect(list.lanes.map((l: { id: number }) => l.id)).toEqual([1]);
    expect(list.next).toBeNull();
    const lane = await json(app.request("/v1/lanes/1"));
    expect(lane).toMatchObject({
      id: 1,
      owner: addr(bob),
      escrow: "1000",
      bond: "500",
      checkpointCount: "1",
    });
  });

  it("GET checkpoints shows the ladder: settled with the final height and an estimate, then final", async () => {
    const one = await json(app.request("/v1/lanes/1/checkpoints/0"));
    const height = backend.latestHeight();
    expect(one.postedHeight).toBe("2");
    expect(one.finalHeight).toBe("5");
    expect(one.finality.status).toBe(height >= 5n ? "final" : "settled");
    expect(one.finality.next).toMatchObject({
      status: "final",
      height: "5",
      blocksRemaining: String(5n - height),
    });
    const lastTimeMs = backend.block(height)!.timeMs;
    expect(BigInt(one.finality.next.estimatedTimeMs)).toBe(lastTimeMs + (5n - height) * 1000n);
    while (backend.latestHeight() < 5n) await backend.commitBlock();
    const list = await json(app.request("/v1/lanes/1/checkpoints"));
    expect(list.checkpoints).toHaveLength(1);
    expect(list.checkpoints[0].finality).toEqual({ status: "final", next: null });
  });

  it("GET /v1/lanes/:id/checkpoints/:index/batch serves the batch data the checkpoint's batch hash names", async () => {
    const body = await json(app.request("/v1/lanes/1/checkpoints/0/batch"));
    const record = await json(app.request("/v1/lanes/1/checkpoints/0"));
    expect(body).toEqual({
      lane: 1,
      index: "0",
      batchHash: record.batchHash,
      batchData: `0x${toHex(batchData)}`,
    });
    expect(body.batchHash).toBe(`0x${toHex(batchHashOf(batchData))}`);
  });

  it("GET /v1/lanes/:id/deposits lists deposits with the lane deposit id", async () => {
    const body = await json(app.request("/v1/lanes/1/deposits"));
    expect(body.deposits).toHaveLength(1);
    expect(body.deposits[0]).toMatchObject({
      id: "0",
      lane: 1,
      sender: addr(alice),
      amount: "1000",
      height: "2",
    });
    expect(body.next).toBeNull();
  });

  it("GET /v1/lanes/:id/checkpoints/:index/proof serves a proof the light client verifies, settled then final", async () => {
    const trusted = network.validators.map((k) => ({ publicKey: k.publicKey, power: 10_000n }));
    const verify = (proof: CheckpointProof, index = 0n) =>
      verifyCheckpointProof({ chainId, validators: trusted, lane: 1, index, proof });
    // Checkpoint 1, accepted by the newest block: not provable until the next block certifies that state.
    const nonce = BigInt((await json(app.request(`/v1/accounts/${addr(bob)}`))).nonce);
    const payload = checkpointPayload({
      lane: 1,
      index: 1n,
      prevRoot: new Uint8Array(32).fill(9),
      newRoot: new Uint8Array(32).fill(10),
      sequencer: sequencer.publicKey,
    });
    const posted = signSettlementTx(chainId, bob, nonce, signCheckpoint(chainId, sequencer, payload));
    expect((await submit(posted)).status).toBe(202);
    const accepted = await backend.commitBlock();
    expect(accepted.receipts?.[0]?.status).toBe(0);
    const early = await app.request("/v1/lanes/1/checkpoints/1/proof");
    expect(early.status).toBe(404);
    expect((await json(early)).error).toMatchObject({ code: "checkpoint_not_found", field: "index" });
    await backend.commitBlock();

    const body = await json(app.request("/v1/lanes/1/checkpoints/1/proof"));
    const height = backend.latestHeight() - 1n;
    expect(body).toMatchObject({ lane: 1, index: "1", height: String(height) });
    expect(body.certificate.valueId).toBe(`0x${toHex(backend.block(height + 1n)!.hash)}`);
    const r = await verify(body, 1n);
    expect(r.valid ? r.status : r.reason).toBe("settled");
    expect(r.valid && toHex(r.record.newRoot)).toBe(toHex(new Uint8Array(32).fill(10)));
    expect(r.valid && r.record.finalHeight).toBe(accepted.height + 3n);
    // Checkpoint 0 (final from height 5) is final in this state; the served JSON for 0 does not pass for 1.
    const zero = await json(app.request("/v1/lanes/1/checkpoints/0/proof"));
    const r0 = await verify(zero);
    expect(r0.valid ? r0.status : r0.reason).toBe("final");
    expect((await verify(zero, 1n)).valid).toBe(false);
    // Once the window passes, checkpoint 1 is final too.
    while (backend.latestHeight() < accepted.height + 4n) await backend.commitBlock();
    const later = await verify(await json(app.request("/v1/lanes/1/checkpoints/1/proof")), 1n);
    expect(later.valid ? later.status : later.reason).toBe("final");
  });

  it("GET /metrics exposes request counters and the chain height", async () => {
    const text = await (await app.request("/metrics")).text();
    expect(text).toContain(`bitlayer_settlement_height ${backend.latestHeight()}`);
    expect(text).toMatch(/bitlayer_api_requests_total\{method="GET",route="\/v1\/status",status="200"\} 1/);
    expect(text).toContain('bitlayer_api_txs_submitted_total{result="accepted"}');
  });

  it("GET /metrics counts the native signature verifies the node runs", async () => {
    const verifies = async () =>
      Number(
        (await (await app.request("/metrics")).text()).match(
          /^bitlayer_settlement_signature_verifies_total (\d+)$/m,
        )![1],
      );
    const key = generateKeyPair(new Uint8Array(32).fill(9));
    const message = new Uint8Array([1, 2, 3]);
    const signature = sign(key.secretKey, message);
    installNodeVerifier();
    try {
      const before = await verifies();
      for (let i = 0; i < 3; i++) expect(await verifySignature(key.publicKey, message, signature)).toBe(true);
      // Refused by the policy's byte checks (S ≥ L): never reaches the native verifier.
      expect(await verifySignature(key.publicKey, message, new Uint8Array(64).fill(0xff))).toBe(false);
      expect(await verifies()).toBe(before + 3);
    } finally {
      setNativeVerifier(webCryptoVerifier);
    }
  });

  it("GET /v1/openapi.json documents every route the app serves, and only those", async () => {
    const doc = await json(app.request("/v1/openapi.json"));
    const served = new Set(
      app.routes
        .filter((r) => r.method !== "ALL")
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([a-z]+)/g, "{$1}").replace(/\/$/, "")}`),
    );
    const documented = new Set(
      Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m} ${path}`),
      ),
    );
    expect(documented).toEqual(served);
    expect(documented.size).toBe(API_ROUTES.length);
    expect(doc.paths["/v1/txs"].post.requestBody.content["application/json"].schema.properties.tx.type).toBe(
      "string",
    );
  });
});

describe("bad input changes nothing and names the field", () => {
  const transfer = (nonce: bigint, o: { key?: typeof alice; chain?: string; fee?: bigint } = {}) =>
    signSettlementTx(
      o.chain ?? chainId,
      o.key ?? alice,
      nonce,
      { type: "transfer", to: accountAddressOf(bob.publicKey), amount: 5n },
      o.fee ?? 1n,
    );

  const cases: [string, () => Response | Promise<Response>, number, string, string][] = [
    ["malformed JSON", () => app.request("/v1/txs", post('{"tx": ')), 400, "invalid_json", "body"],
    ["tx of the wrong type", () => app.request("/v1/txs", post({ tx: 42 })), 400, "invalid_field", "tx"],
    [
      "unknown body field",
      () => app.request("/v1/txs", post({ tx: "0x00", extra: 1 })),
      400,
      "invalid_field",
      "",
    ],
    ["bad hex", () => app.request("/v1/txs", post({ tx: "0xzz" })), 400, "invalid_field", "tx"],
    ["bad base64", () => app.request("/v1/txs", post({ tx: "a*b" })), 400, "invalid_field", "tx"],
    [
      "truncated tx bytes",
      () => app.request("/v1/txs", post({ tx: "0x0102" })),
      400,
      "tx_malformed",
      "tx.body.sender",
    ],
    [
      "oversize body",
      () => app.request("/v1/txs", post({ tx: `0x${"00".repeat(400_000)}` })),
      413,
      "body_too_large",
      "body",
    ],
    [
      "wrong content type",
      () => app.request("/v1/txs", post("x", "text/plain")),
      415,
      "unsupported_media_type",
      "content-type",
    ],
    [
      "bad signature",
      async () => {
        const tx = transfer(5n);
        tx[tx.length - 1]! ^= 1;
        return submit(tx);
      },
      422,
      "signature_invalid",
      "tx.signature",
    ],
    [
      "wrong chain id",
      () => submit(transfer(5n, { chain: "other-chain" })),
      422,
      "signature_invalid",
      "tx.signature",
    ],
    ["replayed nonce", () => submit(transfer(0n)), 409, "nonce_replayed", "tx.body.nonce"],
    ["nonce from the future", () => submit(transfer(9n)), 422, "nonce_mismatch", "tx.body.nonce"],
    ["fee below minimum", () => submit(transfer(5n, { fee: 0n })), 422, "fee_below_minimum", "tx.body.fee"],
    [
      "unfunded sender",
      () => submit(signSettlementTx(chainId, testKeyPair("nobody"), 0n, { type: "unjail" })),
      422,
      "fee_unaffordable",
      "tx.body.fee",
    ],
    ["bad tx hash", () => app.request("/v1/txs/0x1234"), 400, "invalid_field", "hash"],
    [
      "tx wait above the bound",
      () => app.request(`/v1/txs/0x${"00".repeat(32)}?waitMs=30001`),
      400,
      "invalid_field",
      "query.waitMs",
    ],
    [
      "tx wait not a number",
      () => app.request(`/v1/txs/0x${"00".repeat(32)}?waitMs=soon`),
      400,
      "invalid_field",
      "query.waitMs",
    ],
    [
      "unknown tx query parameter",
      () => app.request(`/v1/txs/0x${"00".repeat(32)}?wait=1`),
      400,
      "invalid_field",
      "query",
    ],
    ["bad height", () => app.request("/v1/blocks/-1"), 400, "invalid_field", "height"],
    ["height with leading zero", () => app.request("/v1/blocks/01"), 400, "invalid_field", "height"],
    ["future height", () => app.request("/v1/blocks/999"), 404, "block_not_found", "height"],
    ["bad address", () => app.request("/v1/accounts/0x1234"), 400, "invalid_field", "address"],
    [
      "unknown account",
      () => app.request(`/v1/accounts/${addr(testKeyPair("nobody"))}`),
      404,
      "account_not_found",
      "address",
    ],
    ["bad lane id", () => app.request("/v1/lanes/abc"), 400, "invalid_field", "id"],
    ["lane 0", () => app.request("/v1/lanes/0/checkpoints"), 400, "invalid_field", "id"],
    ["unknown lane", () => app.request("/v1/lanes/7"), 404, "lane_not_found", "id"],
    ["unknown lane's deposits", () => app.request("/v1/lanes/7/deposits"), 404, "lane_not_found", "id"],
    [
      "bad page limit",
      () => app.request("/v1/lanes/1/deposits?limit=1000"),
      400,
      "invalid_field",
      "query.limit",
    ],
    ["unknown query parameter", () => app.request("/v1/lanes?page=2"), 400, "invalid_field", "query"],
    ["bad checkpoint index", () => app.request("/v1/lanes/1/checkpoints/x"), 400, "invalid_field", "index"],
    [
      "unknown checkpoint",
      () => app.request("/v1/lanes/1/checkpoints/5"),
      404,
      "checkpoint_not_found",
      "index",
    ],
    ["bad batch index", () => app.request("/v1/lanes/1/checkpoints/-1/batch"), 400, "invalid_field", "index"],
    [
      "batch of an unknown checkpoint",
      () => app.request("/v1/lanes/1/checkpoints/5/batch"),
      404,
      "checkpoint_not_found",
      "index",
    ],
    [
      "batch of an unknown lane",
      () => app.request("/v1/lanes/7/checkpoints/0/batch"),
      404,
      "lane_not_found",
      "id",
    ],
    ["bad proof lane", () => app.request("/v1/lanes/x/checkpoints/0/proof"), 400, "invalid_field", "id"],
    ["bad proof index", () => app.request("/v1/lanes/1/checkpoints/01/proof"), 400, "invalid_field", "index"],
    [
      "proof of an unknown lane",
      () => app.request("/v1/lanes/7/checkpoints/0/proof"),
      404,
      "lane_not_found",
      "id",
    ],
    [
      "proof of an unknown checkpoint",
      () => app.request("/v1/lanes/1/checkpoints/5/proof"),
      404,
      "checkpoint_not_found",
      "index",
    ],
    ["bad withdrawal id", () => app.request("/v1/withdrawals/5"), 400, "invalid_field", "id"],
    ["withdrawal of an unknown lane", () => app.request("/v1/withdrawals/9-0"), 404, "lane_not_found", "id"],
    ["unpaid withdrawal", () => app.request("/v1/withdrawals/1-0"), 404, "withdrawal_not_found", "id"],
  ];

  for (const [name, request, status, code, field] of cases) {
    it(`${name} → ${status} ${code}`, async () => {
      const before = snapshot();
      const res = await request();
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const body = await json(res);
      expect(body.error.code).toBe(code);
      expect(typeof body.error.message).toBe("string");
      if (field === "") expect(body.error.field ?? "").toBe("");
      else expect(body.error.field).toBe(field);
      expect(snapshot()).toEqual(before);
    });
  }

  it("an unknown route is a JSON 404", async () => {
    const res = await app.request("/v1/nope");
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe("route_not_found");
  });

  it("a duplicate of a pending transaction → 409 and the mempool keeps one copy", async () => {
    const tx = transfer(5n);
    expect((await submit(tx)).status).toBe(202);
    const before = snapshot();
    const res = await submit(tx);
    expect(res.status).toBe(409);
    expect((await json(res)).error.field).toBe("tx.body.nonce");
    expect(snapshot()).toEqual(before);
    await backend.commitBlock();
  });
});

describe("rate limiting", () => {
  it("answers 429 with Retry-After once a client's bucket is empty, per client, and refills over time", async () => {
    let nowMs = 0;
    const limited = createSettlementApi(backend, {
      rateLimit: {
        ratePerSecond: 2,
        burst: 3,
        nowMs: () => nowMs,
        clientKey: (c) => c.req.header("x-client") ?? "",
      },
    });
    const get = (client: string) => limited.request("/v1/status", { headers: { "x-client": client } });
    for (let i = 0; i < 3; i++) expect((await get("a")).status).toBe(200);
    const refused = await get("a");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await json(refused)).error.code).toBe("rate_limited");
    expect((await get("b")).status).toBe(200);
    nowMs += 500;
    expect((await get("a")).status).toBe(200);
    expect((await get("a")).status).toBe(429);
  });
});
