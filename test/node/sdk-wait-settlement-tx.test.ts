/**
 * The SDK's waitForSettlementTransaction against the real settlement API
 * (createSettlementApi over the in-memory backend, reached through a
 * transport whose fetch is app.request): it holds one request open and is
 * answered when the block commits, without walking blocks; against a
 * validator that lacks GET /v1/txs/{hash} (an injected 404) it finds the
 * transaction by walking the blocks; a transaction the ledger refused throws
 * SettlementTransactionFailedError unless asked not to.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { toHex } from "../../shared/bytes.ts";
import { createSettlementApi } from "../../settlement-node/api/app.ts";
import {
  InMemorySettlementBackend,
  signSettlementTx,
  testNetwork,
} from "../../settlement-node/api/testing.ts";
import { accountAddressOf } from "../../settlement-node/ledger/address.ts";
import { settlementTxHash } from "../../settlement-node/ledger/tx.ts";
import { createBitlayerClient, http, SettlementTransactionFailedError } from "../../sdk/index.ts";

const network = testNetwork();
const [alice, bob] = network.accounts as [(typeof network.accounts)[0], (typeof network.accounts)[0]];

let backend: InMemorySettlementBackend;
let app: ReturnType<typeof createSettlementApi>;
let paths: string[];

function client(o: { withoutTxRoute?: boolean } = {}) {
  const fetch = async (url: string, init?: RequestInit): Promise<Response> => {
    const { pathname } = new URL(url);
    paths.push(pathname);
    if (o.withoutTxRoute && pathname.startsWith("/v1/txs/"))
      return Response.json({ error: { code: "route_not_found", message: "No route." } }, { status: 404 });
    return app.request(url, init);
  };
  return createBitlayerClient({
    edgeUrl: "http://edge.test",
    settlementUrls: ["http://validator.test"],
    chainId: backend.chainId,
    lane: 1,
    transport: http({ fetch }),
  });
}

const transfer = (nonce: bigint, amount: bigint) =>
  signSettlementTx(backend.chainId, alice, nonce, {
    type: "transfer",
    to: accountAddressOf(bob.publicKey),
    amount,
  });
const hashOf = (tx: Uint8Array) => `0x${toHex(settlementTxHash(tx))}`;

beforeEach(async () => {
  backend = new InMemorySettlementBackend({ network });
  app = createSettlementApi(backend, { rateLimit: false });
  paths = [];
  // Two blocks before the one under test, so walking blocks would show in the request log.
  await backend.commitBlock();
  await backend.commitBlock();
});

describe("waitForSettlementTransaction", () => {
  it("is answered by the validator when the block commits, without walking blocks", async () => {
    const tx = transfer(0n, 5n);
    expect((await backend.submitTx(tx)).accepted).toBe(true);
    const waiting = client().waitForSettlementTransaction({ hash: hashOf(tx), fromHeight: 1n });
    await new Promise((r) => setTimeout(r, 30));
    const committed = await backend.commitBlock();
    const r = await waiting;
    expect(r).toEqual({
      height: committed.height,
      blockHash: `0x${toHex(committed.hash)}`,
      status: 0,
      statusName: "Ok",
      feePaid: committed.receipts![0]!.feePaid,
    });
    expect(paths).toEqual([`/v1/txs/${hashOf(tx)}`]);
  });

  it("walks the blocks from fromHeight on a validator without GET /v1/txs/{hash}", async () => {
    const tx = transfer(0n, 5n);
    await backend.submitTx(tx);
    const committed = await backend.commitBlock();
    const r = await client({ withoutTxRoute: true }).waitForSettlementTransaction({
      hash: hashOf(tx),
      fromHeight: 1n,
    });
    expect(r.height).toBe(committed.height);
    expect(r.blockHash).toBe(`0x${toHex(committed.hash)}`);
    expect(paths.filter((p) => p.startsWith("/v1/blocks/"))).toEqual([
      "/v1/blocks/1",
      "/v1/blocks/2",
      "/v1/blocks/3",
    ]);
  });

  it("throws SettlementTransactionFailedError for a refused transaction, or returns the verdict if asked", async () => {
    const tx = transfer(0n, 10n ** 30n);
    expect((await backend.submitTx(tx)).accepted).toBe(true);
    await backend.commitBlock();
    const error = await client()
      .waitForSettlementTransaction({ hash: hashOf(tx) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettlementTransactionFailedError);
    const r = await client().waitForSettlementTransaction({ hash: hashOf(tx), throwOnFailure: false });
    expect(r.status).not.toBe(0);
    expect(r.statusName).not.toBe("Ok");
  });
});
