/**
 * The edge's HTTP client of the settlement API (docs/api-settlement.md): each
 * call tries the validator URLs in turn, starting from the last one that
 * answered, so one dead or overloaded validator costs one failed request,
 * not the post. A 4xx answer is a definite answer and is not retried
 * elsewhere; network errors, 5xx and 429 move on to the next URL.
 */
import { SettlementRefusedError, SettlementUnavailableError } from "./errors.ts";

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export type CheckpointJson = {
  lane: number;
  index: string;
  prevRoot: string;
  newRoot: string;
  batchHash: string;
  postedHeight: string;
  finalHeight: string;
  finality: { status: "checkpointed" | "settled" | "final" };
};

export type SettlementClientOptions = {
  urls: readonly string[];
  fetch: Fetch;
  /** Per request; a hung validator must not stall the alarm. */
  timeoutMsRequest?: number;
};

type Answer = { status: number; body: unknown };

export class SettlementClient {
  readonly #urls: readonly string[];
  readonly #fetch: Fetch;
  readonly #timeoutMsRequest: number;
  #preferred = 0;

  constructor(o: SettlementClientOptions) {
    this.#urls = o.urls.map((u) => u.replace(/\/+$/, ""));
    this.#fetch = o.fetch;
    this.#timeoutMsRequest = o.timeoutMsRequest ?? 5000;
  }

  /** Index into urls of the validator that answered last (where the next call starts). */
  get preferred(): number {
    return this.#preferred;
  }

  /** POST /v1/txs; resolves with the tx hash once a validator admitted it to its mempool. */
  async submitTx(txHex: string): Promise<{ hash: string }> {
    const a = await this.#request("/v1/txs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tx: txHex }),
    });
    if (a.status === 202) return { hash: String((a.body as { hash?: unknown }).hash) };
    throw refusal("/v1/txs", a);
  }

  /** GET /v1/accounts/:address; null when settlement has never seen the account. */
  async account(address: string): Promise<{ nonce: bigint; balance: bigint } | null> {
    const path = `/v1/accounts/${address}`;
    const a = await this.#request(path);
    if (a.status === 404) return null;
    if (a.status !== 200) throw refusal(path, a);
    const b = a.body as { nonce: string; balance: string };
    return { nonce: BigInt(b.nonce), balance: BigInt(b.balance) };
  }

  /** GET /v1/lanes/:lane/checkpoints/:index; null when settlement does not hold it (yet). */
  async checkpoint(lane: number, index: number): Promise<CheckpointJson | null> {
    const path = `/v1/lanes/${lane}/checkpoints/${index}`;
    const a = await this.#request(path);
    if (a.status === 404) return null;
    if (a.status !== 200) throw refusal(path, a);
    return a.body as CheckpointJson;
  }

  /**
   * GET /v1/lanes/:lane/checkpoints/:index/proof from each validator in turn
   * (starting from the preferred one) until `accept` takes an answer: a
   * validator whose proof does not verify is skipped like one that is down,
   * and the next call starts from the one whose proof was accepted.
   * Resolves with the accepted value (and the failures of validators tried
   * before it), or with every validator's failure and how many answered 404
   * (`notFound`: the state holding the checkpoint is not certified there yet).
   */
  async checkpointProof<T>(
    lane: number,
    index: number,
    accept: (body: unknown) => Promise<{ ok: true; value: T } | { ok: false; reason: string }>,
  ): Promise<
    | { ok: true; value: T; url: string; failures: string[] }
    | { ok: false; failures: string[]; notFound: number }
  > {
    const path = `/v1/lanes/${lane}/checkpoints/${index}/proof`;
    const failures: string[] = [];
    let notFound = 0;
    for (let k = 0; k < this.#urls.length; k++) {
      const i = (this.#preferred + k) % this.#urls.length;
      const url = this.#urls[i]!;
      let answer: Answer;
      try {
        const response = await this.#fetch(url + path, {
          signal: AbortSignal.timeout(this.#timeoutMsRequest),
        });
        answer = { status: response.status, body: parseJson(await response.text()) };
      } catch (error) {
        failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (answer.status === 404) notFound++;
      if (answer.status !== 200) {
        failures.push(`${url}: ${refusal(path, answer).message}`);
        continue;
      }
      const verdict = await accept(answer.body);
      if (verdict.ok) {
        this.#preferred = i;
        return { ok: true, value: verdict.value, url, failures };
      }
      failures.push(`${url}: proof rejected: ${verdict.reason}`);
    }
    return { ok: false, failures, notFound };
  }

  async #request(path: string, init: RequestInit = {}): Promise<Answer> {
    if (this.#urls.length === 0) throw new SettlementUnavailableError(path, ["SETTLEMENT_URLS is empty"]);
    const failures: string[] = [];
    for (let k = 0; k < this.#urls.length; k++) {
      const i = (this.#preferred + k) % this.#urls.length;
      const url = this.#urls[i]!;
      try {
        const response = await this.#fetch(url + path, {
          ...init,
          signal: AbortSignal.timeout(this.#timeoutMsRequest),
        });
        const text = await response.text();
        if (response.status >= 500 || response.status === 429) {
          failures.push(`${url}: HTTP ${response.status}`);
          continue;
        }
        this.#preferred = i;
        return { status: response.status, body: parseJson(text) };
      } catch (error) {
        failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    throw new SettlementUnavailableError(path, failures);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: "not_json", message: text.slice(0, 200) } };
  }
}

function refusal(path: string, a: Answer): SettlementRefusedError {
  const e = (a.body as { error?: { code?: string; message?: string } | string }).error;
  const code = typeof e === "object" && e?.code ? e.code : `http_${a.status}`;
  const message = typeof e === "object" ? (e?.message ?? "") : String(e ?? "");
  return new SettlementRefusedError(path, a.status, code, message);
}
