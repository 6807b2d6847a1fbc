/**
 * The validator network: one WebSocket per pair of validators (the one with
 * the lower public key dials, so there is never a duplicate pair), opened
 * with the mutually authenticated handshake (handshake.ts). Frames are
 * bounded (ws maxPayload), each peer's send queue is bounded by the socket's
 * buffered bytes (beyond it frames are dropped: consensus gossip re-sends),
 * and a lost connection is re-dialled with exponential backoff.
 */
import { randomBytes } from "node:crypto";
import { compareBytes, toHex } from "../../shared/bytes.ts";
import { type KeyPair, sign } from "../../shared/crypto/index.ts";
import { WebSocket, WebSocketServer } from "ws";
import {
  type Challenge,
  challengeSignBytes,
  checkHello,
  decodeAuth,
  decodeHello,
  encodeAuth,
  encodeHello,
  type Hello,
  NONCE_BYTES,
  verifyAuth,
} from "./handshake.ts";
import { FRAME_BYTES_MAX } from "./wire.ts";

export type PeerAddress = { publicKey: Uint8Array; host: string; port: number };

export type NetworkLogger = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
};

/** WebSocket close codes we send when refusing a handshake. */
export const CloseCode = {
  wrongChain: 4001,
  unknownKey: 4002,
  badSignature: 4003,
  protocol: 4004,
  replaced: 4005,
} as const;

export type NetworkOptions = {
  chainId: string;
  keyPair: KeyPair;
  listenHost: string;
  listenPort: number;
  peers: readonly PeerAddress[];
  logger: NetworkLogger;
  onFrame: (peer: string, frame: Uint8Array) => void;
  onPeerUp?: (peer: string) => void;
  /** Bytes buffered per peer before frames are dropped. */
  queueBytesMax?: number;
  handshakeTimeoutMs?: number;
  reconnectMsMin?: number;
  reconnectMsMax?: number;
};

export const QUEUE_BYTES_MAX_DEFAULT = 16 * 1024 * 1024;

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export class PeerNetwork {
  private readonly options: NetworkOptions;
  private server: WebSocketServer | null = null;
  private readonly ready = new Map<string, WebSocket>();
  private readonly dialTimers = new Map<string, NodeJS.Timeout>();
  private readonly backoffMs = new Map<string, number>();
  private readonly peerKeys: Uint8Array[];
  private closed = false;
  countFramesDropped = 0;

  constructor(options: NetworkOptions) {
    this.options = options;
    this.peerKeys = options.peers.map((p) => p.publicKey);
  }

  get selfId(): string {
    return toHex(this.options.keyPair.publicKey);
  }

  async start(): Promise<void> {
    const server = new WebSocketServer({
      host: this.options.listenHost,
      port: this.options.listenPort,
      maxPayload: FRAME_BYTES_MAX,
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
    });
    server.on("connection", (ws) => this.accept(ws));
    for (const peer of this.options.peers)
      if (compareBytes(this.options.keyPair.publicKey, peer.publicKey) < 0) this.dial(peer, 0);
  }

  get listenPort(): number {
    const address = this.server?.address();
    return typeof address === "object" && address ? address.port : this.options.listenPort;
  }

  peersReady(): string[] {
    return [...this.ready.keys()];
  }

  /** Sends to every ready peer; a peer whose queue is full misses this frame. */
  broadcast(frame: Uint8Array): void {
    for (const peer of this.ready.keys()) this.send(peer, frame);
  }

  send(peer: string, frame: Uint8Array): void {
    const ws = this.ready.get(peer);
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount + frame.length > (this.options.queueBytesMax ?? QUEUE_BYTES_MAX_DEFAULT)) {
      this.countFramesDropped++;
      return;
    }
    ws.send(frame);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.dialTimers.values()) clearTimeout(t);
    for (const ws of this.ready.values()) ws.terminate();
    this.ready.clear();
    const server = this.server;
    if (server) {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private hello(): Hello {
    return {
      chainId: this.options.chainId,
      publicKey: this.options.keyPair.publicKey,
      nonce: new Uint8Array(randomBytes(NONCE_BYTES)),
    };
  }

  private authFor(role: "dialer" | "listener", c: Challenge): Uint8Array {
    return encodeAuth(
      sign(this.options.keyPair.secretKey, challengeSignBytes(this.options.chainId, role, c)),
    );
  }

  private refuse(ws: WebSocket, code: number, reason: string, peer?: string): void {
    this.options.logger.warn({ peer, code, reason }, "p2p: handshake refused");
    ws.close(code, reason);
  }

  /** Listener side: hello from the dialer, our hello and auth, then the dialer's auth. */
  private accept(ws: WebSocket): void {
    const own = this.hello();
    let theirs: Hello | null = null;
    const timer = setTimeout(
      () => this.refuse(ws, CloseCode.protocol, "handshake timeout"),
      this.options.handshakeTimeoutMs ?? 5000,
    );
    let authReceived = false;
    /** Frames the dialer sends right after its auth, while we are still verifying it. */
    const early: Uint8Array[] = [];
    const onMessage = async (data: WebSocket.RawData) => {
      if (authReceived) {
        early.push(toBytes(data));
        return;
      }
      try {
        if (!theirs) {
          const hello = decodeHello(toBytes(data));
          const refusal = checkHello(hello, this.options.chainId, own.publicKey, this.peerKeys);
          if (refusal) {
            clearTimeout(timer);
            ws.off("message", onMessage);
            this.refuse(ws, refusal === "wrong-chain" ? CloseCode.wrongChain : CloseCode.unknownKey, refusal);
            return;
          }
          theirs = hello;
          ws.send(encodeHello(own));
          ws.send(this.authFor("listener", { dialer: hello, listener: own }));
          return;
        }
        authReceived = true;
        clearTimeout(timer);
        const ok = await verifyAuth(
          this.options.chainId,
          "dialer",
          { dialer: theirs, listener: own },
          decodeAuth(toBytes(data)),
        );
        ws.off("message", onMessage);
        if (!ok) return this.refuse(ws, CloseCode.badSignature, "bad signature", toHex(theirs.publicKey));
        this.up(toHex(theirs.publicKey), ws, early);
      } catch (e) {
        clearTimeout(timer);
        ws.off("message", onMessage);
        this.refuse(ws, CloseCode.protocol, `malformed handshake: ${(e as Error).message}`);
      }
    };
    ws.on("message", onMessage);
    ws.on("error", () => {});
  }

  /** Dialer side: our hello, the listener's hello and auth, then our auth. */
  private dial(peer: PeerAddress, delayMs: number): void {
    if (this.closed) return;
    const id = toHex(peer.publicKey);
    clearTimeout(this.dialTimers.get(id));
    this.dialTimers.set(
      id,
      setTimeout(() => {
        if (this.closed) return;
        const ws = new WebSocket(`ws://${peer.host}:${peer.port}`, { maxPayload: FRAME_BYTES_MAX });
        const own = this.hello();
        let theirs: Hello | null = null;
        let upped = false;
        const retry = () => {
          if (upped) return;
          upped = true;
          const next = Math.min(
            Math.max((this.backoffMs.get(id) ?? 0) * 2, this.options.reconnectMsMin ?? 100),
            this.options.reconnectMsMax ?? 2000,
          );
          this.backoffMs.set(id, next);
          this.dial(peer, next);
        };
        const timer = setTimeout(() => ws.terminate(), this.options.handshakeTimeoutMs ?? 5000);
        const onMessage = async (data: WebSocket.RawData) => {
          try {
            if (!theirs) {
              const hello = decodeHello(toBytes(data));
              if (toHex(hello.publicKey) !== id || hello.chainId !== this.options.chainId) {
                ws.off("message", onMessage);
                this.refuse(ws, CloseCode.unknownKey, "listener is not the peer we dialled", id);
                return;
              }
              theirs = hello;
              return;
            }
            ws.off("message", onMessage);
            clearTimeout(timer);
            const c = { dialer: own, listener: theirs };
            const ok = await verifyAuth(this.options.chainId, "listener", c, decodeAuth(toBytes(data)));
            if (!ok) return this.refuse(ws, CloseCode.badSignature, "bad signature", id);
            ws.send(this.authFor("dialer", c));
            upped = true;
            this.backoffMs.delete(id);
            this.up(id, ws, []);
          } catch (e) {
            ws.off("message", onMessage);
            this.refuse(ws, CloseCode.protocol, `malformed handshake: ${(e as Error).message}`, id);
          }
        };
        ws.on("open", () => ws.send(encodeHello(own)));
        ws.on("message", onMessage);
        ws.on("error", () => {});
        ws.on("close", () => {
          clearTimeout(timer);
          retry();
        });
      }, delayMs),
    );
  }

  private up(id: string, ws: WebSocket, early: readonly Uint8Array[]): void {
    const previous = this.ready.get(id);
    if (previous && previous !== ws) previous.close(CloseCode.replaced, "replaced by a newer connection");
    this.ready.set(id, ws);
    this.options.logger.info({ peer: id.slice(0, 16) }, "p2p: peer up");
    ws.on("message", (data) => this.options.onFrame(id, toBytes(data)));
    for (const frame of early) this.options.onFrame(id, frame);
    ws.on("close", () => {
      if (this.ready.get(id) === ws) {
        this.ready.delete(id);
        this.options.logger.info({ peer: id.slice(0, 16) }, "p2p: peer down");
        if (!this.closed) {
          const peer = this.options.peers.find((p) => toHex(p.publicKey) === id);
          if (peer && compareBytes(this.options.keyPair.publicKey, peer.publicKey) < 0)
            this.dial(peer, this.options.reconnectMsMin ?? 100);
        }
      }
    });
    this.options.onPeerUp?.(id);
  }
}
