/**
 * JSON over HTTP to the edge and to settlement, with every non-2xx answer
 * turned into a typed error (errors.ts). Settlement calls fail over: a
 * network error, 5xx or 429 moves on to the next validator URL, starting
 * from the last one that answered; a 4xx is a definite answer and is thrown
 * at once (another validator would say the same).
 */
import type { BitlayerClientBase } from "./client.ts";
import {
  ConflictError,
  HttpRequestError,
  InvalidRequestError,
  NotFoundError,
  RateLimitedError,
  RequestRefusedError,
  type RequestRefusedErrorParameters,
  ServerError,
  type Service,
  SettlementUnavailableError,
  TransactionRejectedError,
} from "./errors.ts";

type ErrorBody = {
  error?: {
    code?: unknown;
    message?: unknown;
    field?: unknown;
    reason?: unknown;
    status?: unknown;
    txHash?: unknown;
  };
};

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The typed error for a non-2xx answer (exported for tests and for callers with their own fetch). */
export function errorFromResponse(
  service: Service,
  url: string,
  status: number,
  body: unknown,
  retryAfter: string | null,
): RequestRefusedError | ServerError {
  const e = (body as ErrorBody | null)?.error;
  const retry = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  const p: RequestRefusedErrorParameters = {
    service,
    url,
    status,
    code: str(e?.code) ?? `http_${status}`,
    message: str(e?.message) ?? "",
    field: str(e?.field),
    retryAfterSeconds: retry,
  };
  if (status >= 500) return new ServerError(p);
  if (status === 404) return new NotFoundError(p);
  if (status === 409) return new ConflictError(p);
  if (status === 429) return new RateLimitedError(p);
  if (status === 422)
    return new TransactionRejectedError({
      ...p,
      reason: str(e?.reason) ?? p.code,
      ...(typeof e?.status === "number" ? { txStatus: e.status } : {}),
      ...(str(e?.txHash) ? { txHash: str(e?.txHash)!.replace(/^0x/, "") } : {}),
    });
  if (status === 400 || status === 413 || status === 415) return new InvalidRequestError(p);
  return new RequestRefusedError(p);
}

export type RequestInit2 = { method?: "GET" | "POST"; body?: unknown };

async function once(
  client: BitlayerClientBase,
  url: string,
  init: RequestInit2,
): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
  const { transport } = client;
  let response: Response;
  try {
    response = await transport.fetch(url, {
      method: init.method ?? "GET",
      headers:
        init.body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(transport.timeoutMsRequest),
    });
  } catch (error) {
    throw new HttpRequestError(url, {
      cause: error,
      details: error instanceof Error ? error.message : String(error),
    });
  }
  const text = await response.text().catch(() => "");
  let body: unknown = null;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    body = { error: { code: "not_json", message: text.slice(0, 200) } };
  }
  return { status: response.status, body, retryAfter: response.headers.get("retry-after") };
}

/** GET/POST `path` on the edge Worker; returns the parsed JSON of a 2xx answer. */
export async function edgeRequest<T>(
  client: BitlayerClientBase,
  path: string,
  init: RequestInit2 = {},
): Promise<T> {
  const url = client.edgeUrl + path;
  const a = await once(client, url, init);
  if (a.status >= 200 && a.status < 300) return a.body as T;
  throw errorFromResponse("edge", url, a.status, a.body, a.retryAfter);
}

/**
 * GET/POST `path` on settlement with failover. `notFoundAsNull` turns a 404
 * into `null` (an account never funded, a checkpoint not posted yet).
 */
export async function settlementRequest<T>(
  client: BitlayerClientBase,
  path: string,
  init: RequestInit2 = {},
): Promise<T> {
  const urls = client.settlementUrls;
  if (urls.length === 0) throw new SettlementUnavailableError(path, ["the client has no settlementUrls"]);
  const failures: string[] = [];
  let last: unknown;
  for (let k = 0; k < urls.length; k++) {
    const i = (client.settlementPreferred.index + k) % urls.length;
    const url = urls[i]! + path;
    try {
      const a = await once(client, url, init);
      if (a.status >= 500 || a.status === 429) {
        failures.push(`${urls[i]}: HTTP ${a.status}`);
        last = errorFromResponse("settlement", url, a.status, a.body, a.retryAfter);
        continue;
      }
      client.settlementPreferred.index = i;
      if (a.status >= 200 && a.status < 300) return a.body as T;
      throw errorFromResponse("settlement", url, a.status, a.body, a.retryAfter);
    } catch (error) {
      if (!(error instanceof HttpRequestError)) throw error;
      failures.push(`${urls[i]}: ${error.details ?? "no answer"}`);
      last = error;
    }
  }
  throw new SettlementUnavailableError(path, failures, last);
}

/** As settlementRequest, but a 404 is `null`. */
export async function settlementRequestOrNull<T>(
  client: BitlayerClientBase,
  path: string,
): Promise<T | null> {
  try {
    return await settlementRequest<T>(client, path);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

/** As edgeRequest, but a 404 is `null`. */
export async function edgeRequestOrNull<T>(client: BitlayerClientBase, path: string): Promise<T | null> {
  try {
    return await edgeRequest<T>(client, path);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}
