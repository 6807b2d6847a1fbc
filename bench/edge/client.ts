/**
 * A small keep-alive HTTP client for the edge benchmarks: node:http with one
 * agent (as many sockets as concurrent clients), JSON bodies, and the round
 * trip timed with performance.now. Lower and steadier overhead than fetch,
 * and the same for every route, so figure and baseline pay the same.
 */
import * as http from "node:http";

export type Reply = { status: number; body: string; ms: number };

export class BenchClient {
  readonly #agent: http.Agent;
  readonly #host: string;
  readonly #port: number;

  constructor(url: string, sockets: number) {
    const u = new URL(url);
    this.#host = u.hostname;
    this.#port = Number(u.port);
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  post(path: string, body?: string): Promise<Reply> {
    return this.#request("POST", path, body);
  }

  get(path: string): Promise<Reply> {
    return this.#request("GET", path);
  }

  #request(method: "GET" | "POST", path: string, body?: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const start = performance.now();
      const req = http.request(
        {
          host: this.#host,
          port: this.#port,
          path,
          method,
          agent: this.#agent,
          headers:
            body === undefined
              ? { "content-length": "0" }
              : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString(),
              ms: performance.now() - start,
            }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** Value at quantile q (0..1) of an ascending-sorted array (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}
