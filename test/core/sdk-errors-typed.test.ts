/**
 * Every non-2xx answer becomes a typed SDK error carrying the server's code
 * and the field it blames (sdk/request.ts errorFromResponse), in Node and
 * workerd alike; bad client configuration fails before any request.
 */
import { describe, expect, it } from "vitest";
import { createBitlayerClient } from "../../sdk/client.ts";
import {
  ClientConfigError,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  RateLimitedError,
  RequestRefusedError,
  ServerError,
  TransactionRejectedError,
} from "../../sdk/errors.ts";
import { errorFromResponse } from "../../sdk/request.ts";

const body = (code: string, message: string, field?: string, extra: object = {}) => ({
  error: { code, message, ...(field ? { field } : {}), ...extra },
});

describe("errorFromResponse: HTTP answers to typed errors", () => {
  it("400 → InvalidRequestError with code and field", () => {
    const e = errorFromResponse(
      "edge",
      "http://e/v1/lanes/1/accounts/zz",
      400,
      body("invalid_address", "Bad.", "address"),
      null,
    );
    expect(e).toBeInstanceOf(InvalidRequestError);
    expect(e).toBeInstanceOf(RequestRefusedError);
    expect(e.name).toBe("InvalidRequestError");
    const r = e as InvalidRequestError;
    expect([r.status, r.code, r.field, r.service]).toEqual([400, "invalid_address", "address", "edge"]);
    expect(r.shortMessage).toBe("Bad.");
    expect(r.docsPath).toBe("api-edge.md#errors");
  });

  it("413 and 415 are invalid requests too; settlement errors point at the settlement docs", () => {
    const big = errorFromResponse("settlement", "u", 413, body("body_too_large", "Too big."), null);
    const media = errorFromResponse(
      "settlement",
      "u",
      415,
      body("unsupported_media_type", "x", "content-type"),
      null,
    );
    expect(big).toBeInstanceOf(InvalidRequestError);
    expect((media as InvalidRequestError).field).toBe("content-type");
    expect((media as InvalidRequestError).docsPath).toBe("api-settlement.md#errors");
  });

  it("422 tx_rejected from the lane → TransactionRejectedError with the STF reason, status and hash", () => {
    const e = errorFromResponse(
      "edge",
      "u",
      422,
      body("tx_rejected", "Transaction rejected: BalanceInsufficient.", "tx", {
        reason: "BalanceInsufficient",
        status: 28,
        txHash: "ab".repeat(32),
      }),
      null,
    ) as TransactionRejectedError;
    expect(e).toBeInstanceOf(TransactionRejectedError);
    expect([e.reason, e.txStatus, e.txHash, e.field]).toEqual([
      "BalanceInsufficient",
      28,
      "ab".repeat(32),
      "tx",
    ]);
  });

  it("422 from settlement → TransactionRejectedError whose reason is the refusal code", () => {
    const e = errorFromResponse(
      "settlement",
      "u",
      422,
      body("signature_invalid", "Bad sig.", "tx.signature"),
      null,
    );
    expect(e).toBeInstanceOf(TransactionRejectedError);
    expect((e as TransactionRejectedError).reason).toBe("signature_invalid");
    expect((e as TransactionRejectedError).field).toBe("tx.signature");
    expect((e as TransactionRejectedError).txStatus).toBeUndefined();
  });

  it("404 → NotFoundError, 409 → ConflictError, 429 → RateLimitedError with Retry-After", () => {
    expect(errorFromResponse("edge", "u", 404, body("not_found", "Receipt not found."), null)).toBeInstanceOf(
      NotFoundError,
    );
    const c = errorFromResponse(
      "settlement",
      "u",
      409,
      body("nonce_replayed", "used", "tx.body.nonce"),
      null,
    );
    expect(c).toBeInstanceOf(ConflictError);
    expect((c as ConflictError).field).toBe("tx.body.nonce");
    const r = errorFromResponse(
      "edge",
      "u",
      429,
      body("rate_limited", "Slow down."),
      "7",
    ) as RateLimitedError;
    expect(r).toBeInstanceOf(RateLimitedError);
    expect(r.retryAfterSeconds).toBe(7);
  });

  it("5xx → ServerError (lane_busy keeps its code and Retry-After); a non-JSON body gets an http_ code", () => {
    const busy = errorFromResponse("edge", "u", 503, body("lane_busy", "Busy."), "2") as ServerError;
    expect(busy).toBeInstanceOf(ServerError);
    expect([busy.code, busy.retryAfterSeconds]).toEqual(["lane_busy", 2]);
    const odd = errorFromResponse("edge", "u", 418, null, null) as RequestRefusedError;
    expect(odd.code).toBe("http_418");
    expect(odd.field).toBeUndefined();
  });
});

describe("createBitlayerClient: configuration is checked before any request", () => {
  const ok = { edgeUrl: "http://127.0.0.1:1", chainId: "bitlayer-devnet", lane: 1 };
  it.each([
    ["lane", { ...ok, lane: 0 }],
    ["chainId", { ...ok, chainId: "" }],
    ["edgeUrl", { ...ok, edgeUrl: "ftp://x" }],
    ["settlementUrls", { ...ok, settlementUrls: ["localhost:26651"] }],
  ])("rejects a bad %s with ClientConfigError naming it", (option, config) => {
    try {
      createBitlayerClient(config);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ClientConfigError);
      expect((error as ClientConfigError).option).toBe(option);
    }
  });

  it("rejects a malformed lane address before sending (field named)", async () => {
    const client = createBitlayerClient(ok);
    await expect(client.getAccount({ address: "0x1234" })).rejects.toMatchObject({
      name: "ClientConfigError",
      option: "address",
    });
  });
});
