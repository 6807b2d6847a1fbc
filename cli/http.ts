/**
 * JSON over HTTP for the CLI's reads: one place that turns a refused
 * connection into a NetworkError and an error answer into a RemoteError
 * carrying the server's `{ error: { code, message, field } }`.
 */
import { NetworkError, RemoteError } from "./errors.ts";

const REQUEST_TIMEOUT_MS = 15_000;

async function request(url: string, init: RequestInit = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    // undici puts the reason in `cause` (ECONNREFUSED), sometimes inside an AggregateError.
    const c = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    const cause = c?.code ?? c?.errors?.[0]?.code ?? c?.message ?? (error as Error).message;
    throw new NetworkError(`${url}: no answer (${cause}). Is the devnet running (npm start)?`, {
      cause: error,
    });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok) {
    const e = (body as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
    throw new RemoteError({
      url,
      status: response.status,
      code: e?.code ?? "http_error",
      message: e?.message ?? (typeof body === "string" ? body.slice(0, 300) : response.statusText),
      field: e?.field,
      body: e ?? body,
    });
  }
  return body;
}

export const getJson = <T>(url: string): Promise<T> => request(url) as Promise<T>;

export const postJson = <T>(url: string, payload: unknown): Promise<T> =>
  request(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(payload),
  }) as Promise<T>;

/**
 * GET `path` from the first settlement validator that answers. A refusal
 * (4xx) is the answer; only a network failure or a 5xx moves on to the next.
 */
export async function getFromAny<T>(baseUrls: string[], path: string): Promise<T> {
  let last: unknown;
  for (const base of baseUrls) {
    try {
      return await getJson<T>(`${base}${path}`);
    } catch (error) {
      if (error instanceof RemoteError && error.status < 500) throw error;
      last = error;
    }
  }
  if (last instanceof Error) throw last;
  throw new NetworkError(`no settlement URL to ask for ${path}`);
}
