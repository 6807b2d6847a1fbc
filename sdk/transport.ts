/**
 * How the client reaches the network and the clock (viem's "transports"):
 * everything with side effects comes through here, so the same client runs
 * in Node, browsers and Workers, and a test can hand in its own fetch.
 */
import { ClientConfigError } from "./errors.ts";

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** The subset of the standard WebSocket the receipt feed uses. */
export type WebSocketLike = {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "open" | "close" | "error", listener: (event: unknown) => void): void;
};
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export type Transport = {
  readonly fetch: Fetch;
  /** Absent where the runtime has no WebSocket (then watchReceipts throws ClientConfigError). */
  readonly WebSocket: WebSocketConstructor | undefined;
  /** Per HTTP request; a hung server must not hang the caller. */
  readonly timeoutMsRequest: number;
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
  /** Resolves after `ms`; used by waitForStatus and withdraw polling. */
  sleep(ms: number): Promise<void>;
};

export type HttpTransportOptions = {
  /** Default: globalThis.fetch. */
  fetch?: Fetch;
  /** Default: globalThis.WebSocket (Node ≥ 22, browsers, Workers). */
  WebSocket?: WebSocketConstructor;
  /** Default 10,000 ms. */
  timeoutMsRequest?: number;
};

/**
 * The default transport: HTTP with the runtime's `fetch` (or yours) and the
 * runtime's WebSocket for the receipt feed.
 *
 * @example
 * const client = createBitlayerClient({ ...devnet, transport: http({ timeoutMsRequest: 3_000 }) });
 */
export function http(options: HttpTransportOptions = {}): Transport {
  const fetchFn = options.fetch ?? (globalThis.fetch ? globalThis.fetch.bind(globalThis) : undefined);
  if (!fetchFn)
    throw new ClientConfigError("transport.fetch", "This runtime has no fetch: pass http({ fetch }).");
  const ws = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? undefined;
  return {
    fetch: fetchFn,
    WebSocket: ws,
    timeoutMsRequest: options.timeoutMsRequest ?? 10_000,
    nowMs: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  };
}
