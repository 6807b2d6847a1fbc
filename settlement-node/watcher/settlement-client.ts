/**
 * The watcher's reads of the settlement API (docs/api/settlement.md), with
 * failover: requests go to the last validator that answered, and on a
 * network error, a timeout, a 5xx or a 429 to the next one in turn. Every
 * body is checked against the API's own zod schemas (settlement-node/api/
 * schemas.ts), so a drifting API fails loudly here rather than as a bogus
 * replay. Validators may be a block or two apart; a 404 for something the
 * previous answer promised is the caller's to retry later.
 */
import type { z } from "zod";
import * as s from "../api/schemas.ts";
import { SettlementNotFoundError, SettlementResponseError, SettlementUnavailableError } from "./errors.ts";

export type SettlementClientOptions = {
  urls: readonly string[];
  /** Per request, per validator. */
  timeoutMs?: number;
};

export type LaneJson = z.output<typeof s.laneJson>;
export type CheckpointJson = z.output<typeof s.checkpointJson>;
export type BatchDataJson = z.output<typeof s.batchDataResponse>;
export type ForcedTxJson = z.output<typeof s.forcedTxJson>;

const PAGE_LIMIT_MAX = 200;

export class SettlementClient {
  readonly urls: readonly string[];
  readonly #timeoutMs: number;
  #preferred = 0;

  constructor(options: SettlementClientOptions) {
    if (options.urls.length === 0) throw new RangeError("SettlementClient needs at least one URL.");
    this.urls = options.urls.map((u) => u.replace(/\/+$/, ""));
    this.#timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** The validator requests go to first (the last one that answered). */
  get currentUrl(): string {
    return this.urls[this.#preferred]!;
  }

  async lane(id: number): Promise<LaneJson> {
    return await this.#get(`/v1/lanes/${id}`, s.laneJson);
  }

  async checkpoints(id: number, from: bigint, limit: number): Promise<CheckpointJson[]> {
    const page = await this.#get(
      `/v1/lanes/${id}/checkpoints?from=${from}&limit=${Math.min(limit, PAGE_LIMIT_MAX)}`,
      s.checkpointsResponse,
    );
    return page.checkpoints;
  }

  async batchData(id: number, index: bigint): Promise<BatchDataJson> {
    return await this.#get(`/v1/lanes/${id}/checkpoints/${index}/batch`, s.batchDataResponse);
  }

  /** Forced transactions `from` … `to − 1` of the lane, in id order (paged). */
  async forced(id: number, from: bigint, to: bigint): Promise<ForcedTxJson[]> {
    const out: ForcedTxJson[] = [];
    for (let next = from; next < to; ) {
      const limit = Number(to - next < BigInt(PAGE_LIMIT_MAX) ? to - next : BigInt(PAGE_LIMIT_MAX));
      const page = await this.#get(`/v1/lanes/${id}/forced?from=${next}&limit=${limit}`, s.forcedTxsResponse);
      if (page.forced.length === 0)
        throw new SettlementNotFoundError(`/v1/lanes/${id}/forced?from=${next}`, "forced_tx_not_found");
      out.push(...page.forced);
      next += BigInt(page.forced.length);
    }
    return out.slice(0, Number(to - from));
  }

  async #get<T extends z.ZodType>(route: string, schema: T): Promise<z.output<T>> {
    const failures: string[] = [];
    for (let k = 0; k < this.urls.length; k++) {
      const i = (this.#preferred + k) % this.urls.length;
      const url = `${this.urls[i]}${route}`;
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
      } catch (e) {
        failures.push(`${url}: ${(e as Error).message}`);
        continue;
      }
      if (res.status >= 500 || res.status === 429) {
        failures.push(`${url}: HTTP ${res.status}`);
        await res.body?.cancel();
        continue;
      }
      this.#preferred = i;
      const text = await res.text();
      if (res.status === 404) throw new SettlementNotFoundError(route, errorCodeOf(text) ?? "not_found");
      if (!res.ok) throw new SettlementResponseError(route, `HTTP ${res.status}: ${text.slice(0, 300)}`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new SettlementResponseError(route, "the body is not JSON");
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new SettlementResponseError(route, `${issue.path.join(".") || "body"}: ${issue.message}`);
      }
      return parsed.data;
    }
    throw new SettlementUnavailableError(route, failures);
  }
}

function errorCodeOf(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" ? code : undefined;
  } catch {
    return undefined;
  }
}
