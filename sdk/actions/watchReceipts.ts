import type { BitlayerClientBase } from "../client.ts";
import { ClientConfigError, type ClientConfigErrorType } from "../errors.ts";
import { checkReceipt } from "../internal.ts";
import type { WebSocketLike } from "../transport.ts";
import type { ReceiptView } from "../types.ts";

export type WatchReceiptsParameters = {
  /** Called with each step's receipts, in lane order, after their signatures are checked. */
  onReceipts: (receipts: ReceiptView[]) => void;
  /** A receipt that failed verification, or a socket error; the watch goes on (reconnecting). */
  onError?: (error: Error) => void;
  /** Reconnect after the socket closes (default true), waiting `reconnectDelayMs` (default 1,000). */
  reconnect?: boolean;
  reconnectDelayMs?: number;
};
/** Stops the watch and closes the socket. */
export type WatchReceiptsReturnType = () => void;
export type WatchReceiptsErrorType = ClientConfigErrorType;

/**
 * Subscribes to the lane's receipt feed (WebSocket `GET /v1/lanes/:lane/feed`):
 * every receipt the sequencer signs from now on, checked against its key.
 * Returns `unsubscribe`. A socket that drops is reopened; receipts signed
 * while it was down are not replayed (read them by hash with getReceipt).
 *
 * @example
 * const unwatch = client.watchReceipts({
 *   onReceipts: (receipts) => receipts.forEach((r) => console.log(r.receipt.txHash, r.finality)),
 * });
 * // later
 * unwatch();
 */
export function watchReceipts(
  client: BitlayerClientBase,
  p: WatchReceiptsParameters,
): WatchReceiptsReturnType {
  const { transport } = client;
  const Ws = transport.WebSocket;
  if (!Ws)
    throw new ClientConfigError(
      "transport.WebSocket",
      "This runtime has no WebSocket: pass http({ WebSocket }).",
    );
  const url = `${client.edgeUrl.replace(/^http/, "ws")}/v1/lanes/${client.lane}/feed`;
  let stopped = false;
  let socket: WebSocketLike | null = null;
  // Receipts are handed over in order even though checking them is async.
  let chain: Promise<void> = Promise.resolve();
  const report = (e: unknown) => p.onError?.(e instanceof Error ? e : new Error(String(e)));

  const open = () => {
    if (stopped) return;
    const ws = new Ws(url);
    socket = ws;
    ws.addEventListener("message", (event) => {
      let message: { type?: string; receipts?: ReceiptView[] };
      try {
        message = JSON.parse(typeof event.data === "string" ? event.data : String(event.data));
      } catch (e) {
        return report(e);
      }
      if (message.type !== "receipts" || !Array.isArray(message.receipts)) return;
      const receipts = message.receipts;
      chain = chain.then(async () => {
        const good: ReceiptView[] = [];
        for (const r of receipts) {
          try {
            good.push(await checkReceipt(client, r));
          } catch (e) {
            report(e);
          }
        }
        if (!stopped && good.length > 0) p.onReceipts(good);
      });
    });
    ws.addEventListener("error", (e) =>
      report(new Error(`receipt feed socket error: ${String((e as { message?: unknown })?.message ?? "")}`)),
    );
    ws.addEventListener("close", () => {
      if (stopped || p.reconnect === false) return;
      void transport.sleep(p.reconnectDelayMs ?? 1000).then(open);
    });
  };
  open();
  return () => {
    stopped = true;
    try {
      (socket as WebSocketLike | null)?.close(1000, "unsubscribed");
    } catch {
      // Already closed.
    }
  };
}
