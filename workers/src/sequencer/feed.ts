/**
 * A lane's receipt feed over hibernatable WebSockets (docs/api-edge.md,
 * "Receipt feed"). The Sequencer accepts each socket with
 * ctx.acceptWebSocket, so the object may hibernate while sockets stay open;
 * everything a socket needs after a wake-up lives in its attachment (which
 * survives hibernation), none of it in object fields.
 *
 * Server → client frames (JSON text):
 *   { type: "receipts", receipts: ReceiptView[], replay?: true }   in chain order
 *   { type: "subscribed", fromHeight, throughHeight, live, nextFromHeight? }
 *   { type: "pong" }
 *   { type: "error", error: { code, message, field } }            the socket stays open
 * Client → server frames (JSON text, ≤ 1 KiB):
 *   { type: "subscribe", fromHeight: "<decimal>" }  replay stored receipts from that height, then live
 *   { type: "ping" }                                (the bare text "ping" is answered "pong")
 *
 * A new socket is live at once: it gets every receipt committed after it
 * connected. A subscribe replays up to FEED_REPLAY_RECEIPTS_MAX receipts in
 * whole blocks; if more are stored the socket stops receiving live receipts
 * (so it never sees a gap or a reordering) until a subscribe from
 * nextFromHeight reaches the head.
 */
import { z } from "zod";
import type { ReceiptView } from "./types.ts";

export const FEED_MESSAGE_BYTES_MAX = 1024;
export const FEED_REPLAY_RECEIPTS_MAX = 1000;

type Attachment = { live: boolean };

export type FeedSource = {
  /** Stored receipts with height ≥ fromHeight, in (height, index) order, at most `max`. */
  receiptsFrom(fromHeight: number, max: number): ReceiptView[];
  /** The lane's current height. */
  height(): number;
};

const clientMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ping") }).strict(),
  z
    .object({
      type: z.literal("subscribe"),
      fromHeight: z.string().regex(/^[0-9]{1,15}$/, "must be a decimal height"),
    })
    .strict(),
]);

/** Answers the WebSocket upgrade and hands the server end to the hibernation API. */
export function acceptFeed(ctx: DurableObjectState, request: Request): Response {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket")
    return new Response("Sequencer speaks RPC; only the receipt feed is a WebSocket.", { status: 426 });
  const pair = new WebSocketPair();
  ctx.acceptWebSocket(pair[1]);
  pair[1].serializeAttachment({ live: true } satisfies Attachment);
  return new Response(null, { status: 101, webSocket: pair[0] });
}

function sendError(ws: WebSocket, code: string, message: string, field: string): void {
  send(ws, { type: "error", error: { code, message, field } });
}

function send(ws: WebSocket, frame: unknown): void {
  try {
    ws.send(JSON.stringify(frame));
  } catch {
    // A closing socket: nothing to tell it.
  }
}

/** One client frame: a subscribe, a ping, or an error frame naming what is wrong. */
export function feedMessage(ws: WebSocket, message: string | ArrayBuffer, source: FeedSource): void {
  if (typeof message !== "string") {
    sendError(ws, "invalid_message", "Send text frames holding JSON.", "message");
    return;
  }
  if (message.length > FEED_MESSAGE_BYTES_MAX) {
    sendError(ws, "message_too_large", `Messages are at most ${FEED_MESSAGE_BYTES_MAX} bytes.`, "message");
    return;
  }
  if (message === "ping") {
    ws.send("pong");
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    sendError(ws, "invalid_json", "The message is not valid JSON.", "message");
    return;
  }
  const parsed = clientMessage.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") path.push(issue.keys[0]!);
    const field = path.length > 0 ? path.join(".") : "message";
    sendError(ws, "invalid_message", `${field}: ${issue.message}.`, field);
    return;
  }
  if (parsed.data.type === "ping") {
    send(ws, { type: "pong" });
    return;
  }
  subscribe(ws, Number(parsed.data.fromHeight), source);
}

function subscribe(ws: WebSocket, fromHeight: number, source: FeedSource): void {
  const from = Math.max(1, fromHeight);
  let receipts = source.receiptsFrom(from, FEED_REPLAY_RECEIPTS_MAX + 1);
  let live = true;
  if (receipts.length > FEED_REPLAY_RECEIPTS_MAX) {
    // Whole blocks only: drop the last (possibly partial) block; a block holds far fewer than the bound.
    const lastHeight = receipts[FEED_REPLAY_RECEIPTS_MAX - 1]!.receipt.height;
    receipts = receipts.slice(0, FEED_REPLAY_RECEIPTS_MAX).filter((r) => r.receipt.height !== lastHeight);
    live = false;
  }
  ws.serializeAttachment({ live } satisfies Attachment);
  if (receipts.length > 0) send(ws, { type: "receipts", replay: true, receipts });
  const through = receipts.length > 0 ? Number(receipts[receipts.length - 1]!.receipt.height) : from - 1;
  send(ws, {
    type: "subscribed",
    fromHeight: String(from),
    throughHeight: String(live ? Math.max(through, source.height()) : through),
    live,
    ...(live ? {} : { nextFromHeight: String(through + 1) }),
  });
}

/** Sends freshly committed receipts to every live socket, in the order given (chain order). */
export function broadcastReceipts(ctx: DurableObjectState, views: ReceiptView[]): void {
  if (views.length === 0) return;
  const sockets = ctx.getWebSockets();
  if (sockets.length === 0) return;
  const text = JSON.stringify({ type: "receipts", receipts: views });
  for (const ws of sockets) {
    const attachment = ws.deserializeAttachment() as Attachment | null;
    if (attachment && !attachment.live) continue;
    try {
      ws.send(text);
    } catch {
      // A closing socket: the client reconnects and subscribes from its last height.
    }
  }
}

/** Completes the close handshake the client started. */
export function closeFeed(ws: WebSocket, code: number, reason: string): void {
  try {
    // 1005/1006 are reserved (no status / abnormal): answer with a plain close.
    if (code === 1005 || code === 1006) ws.close();
    else ws.close(code, reason);
  } catch {
    // Already closed.
  }
}
