import type { BitlayerClientBase } from "../client.ts";
import { ClientConfigError, type ClientConfigErrorType } from "../errors.ts";
import { checkReceipt } from "../internal.ts";
import type { WebSocketLike } from "../transport.ts";
import type { ReceiptView } from "../types.ts";

export type WatchReceiptsParameters = {
  /** Called with each step's receipts, in lane order, after their signatures are checked; never twice for one receipt. */
  onReceipts: (receipts: ReceiptView[]) => void;
  /** A receipt that failed verification, or a socket error; the watch goes on (reconnecting). */
  onError?: (error: Error) => void;
  /**
   * Start with the stored receipts from this lane height (replayed in order,
   * then live). Default: only receipts signed from now on.
   */
  fromHeight?: bigint | number;
  /** Reconnect after the socket closes (default true), waiting `reconnectDelayMs` (default 1,000). */
  reconnect?: boolean;
  reconnectDelayMs?: number;
};
/** Stops the watch and closes the socket. */
export type WatchReceiptsReturnType = () => void;
export type WatchReceiptsErrorType = ClientConfigErrorType;

type FeedFrame = {
  type?: string;
  receipts?: ReceiptView[];
  replay?: boolean;
  live?: boolean;
  nextFromHeight?: string;
};

/**
 * Subscribes to the lane's receipt feed (WebSocket `GET /v1/lanes/:lane/feed`,
 * docs/api-edge.md "Receipt feed"): every receipt the sequencer signs, each
 * checked against its key, in lane order, none missed and none twice. A
 * socket that drops is reopened and subscribes from the last height it
 * delivered, so receipts signed while it was down are replayed first.
 * Returns `unsubscribe`.
 *
 * @example
 * const unwatch = client.watchReceipts({
 *   fromHeight: 1n, // the whole history first; omit for new receipts only
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
  if (p.fromHeight !== undefined && !(BigInt(p.fromHeight) >= 1n))
    throw new ClientConfigError("fromHeight", "fromHeight is a lane height, at least 1.");
  const url = `${client.edgeUrl.replace(/^http/, "ws")}/v1/lanes/${client.lane}/feed`;
  let stopped = false;
  let socket: WebSocketLike | null = null;
  // Receipts are handed over in order even though checking them is async.
  let chain: Promise<void> = Promise.resolve();
  const report = (e: unknown) => p.onError?.(e instanceof Error ? e : new Error(String(e)));
  // The last receipt handed over, as (height, index): anything at or before it is a replayed duplicate.
  let last: { height: bigint; index: number } | null = null;
  let nextHeight: bigint | null = p.fromHeight === undefined ? null : BigInt(p.fromHeight);
  const isNew = (r: ReceiptView) => {
    const height = BigInt(r.receipt.height);
    return last === null || height > last.height || (height === last.height && r.receipt.index > last.index);
  };

  const open = () => {
    if (stopped) return;
    const ws = new Ws(url);
    socket = ws;
    // Until our subscribe's replay arrives, live frames are skipped: the replay holds them too.
    let awaitingReplay = false;
    const subscribe = (fromHeight: bigint) => {
      awaitingReplay = true;
      ws.send(JSON.stringify({ type: "subscribe", fromHeight: fromHeight.toString() }));
    };
    ws.addEventListener("open", () => {
      // After a drop, resume at the last delivered block (whole blocks are replayed; duplicates are skipped).
      const from = last === null ? nextHeight : last.height;
      if (from !== null) subscribe(from);
    });
    ws.addEventListener("message", (event) => {
      let message: FeedFrame;
      try {
        message = JSON.parse(typeof event.data === "string" ? event.data : String(event.data));
      } catch (e) {
        return report(e);
      }
      if (message.type === "subscribed") {
        awaitingReplay = false;
        // A long history comes in pages: ask for the next one until the socket is live.
        if (message.live === false && message.nextFromHeight) subscribe(BigInt(message.nextFromHeight));
        return;
      }
      if (message.type !== "receipts" || !Array.isArray(message.receipts)) return;
      if (awaitingReplay && message.replay !== true) return;
      const receipts = message.receipts.filter(isNew);
      if (receipts.length === 0) return;
      const tail = receipts[receipts.length - 1]!.receipt;
      last = { height: BigInt(tail.height), index: tail.index };
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
    let reopened = false;
    const reopen = (delayMs: number) => {
      if (reopened || stopped || p.reconnect === false) return;
      reopened = true;
      void transport.sleep(delayMs).then(open);
    };
    ws.addEventListener("close", () => reopen(p.reconnectDelayMs ?? 1000));
    // A socket opened while the edge restarts can hang in CONNECTING with no close event ever: replace it.
    void transport.sleep(transport.timeoutMsRequest).then(() => {
      if (ws.readyState !== 0 || stopped) return;
      socket = null;
      try {
        ws.close();
      } catch {
        // Not open yet: nothing to close.
      }
      reopen(0);
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
