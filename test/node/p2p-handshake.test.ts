/**
 * The peer handshake refuses a wrong chain id, a key outside the peer set
 * and a signature that does not verify, and admits a configured peer that
 * signs correctly (two real PeerNetworks over loopback exchange frames).
 */
import { randomBytes } from "node:crypto";
import { generateKeyPair, type KeyPair, sign } from "../../shared/crypto/index.ts";
import { afterEach, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import {
  challengeSignBytes,
  decodeHello,
  encodeAuth,
  encodeHello,
  type Hello,
} from "../../settlement-node/p2p/handshake.ts";
import { CloseCode, PeerNetwork } from "../../settlement-node/p2p/network.ts";
import { freePorts, waitFor } from "./helpers/cluster.ts";

const CHAIN = "bitlayer-p2p-test";
const key = (): KeyPair => generateKeyPair(new Uint8Array(randomBytes(32)));
const silent = { info() {}, warn() {}, debug() {} };

const networks: PeerNetwork[] = [];
afterEach(async () => {
  await Promise.all(networks.splice(0).map((n) => n.close()));
});

async function listener(
  peers: KeyPair[],
): Promise<{ network: PeerNetwork; port: number; self: KeyPair; frames: Uint8Array[] }> {
  const [port] = await freePorts(1);
  const self = key();
  const frames: Uint8Array[] = [];
  const network = new PeerNetwork({
    chainId: CHAIN,
    keyPair: self,
    listenHost: "127.0.0.1",
    listenPort: port!,
    // Peers with a lower key would be dialled by us; give them unreachable ports so only inbound counts.
    peers: peers.map((p) => ({ publicKey: p.publicKey, host: "127.0.0.1", port: 1 })),
    logger: silent,
    onFrame: (_peer, frame) => frames.push(frame),
  });
  await network.start();
  networks.push(network);
  return { network, port: port!, self, frames };
}

/** Dials like a peer would, with the given lies; resolves with the close code the listener sent. */
function dialAs(
  port: number,
  o: { claimKey: KeyPair; signWith: KeyPair; chainId: string },
): Promise<{ code: number; authed: boolean; ws: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    const own: Hello = {
      chainId: o.chainId,
      publicKey: o.claimKey.publicKey,
      nonce: new Uint8Array(randomBytes(32)),
    };
    let theirs: Hello | null = null;
    let authed = false;
    ws.on("open", () => ws.send(encodeHello(own)));
    ws.on("message", (data) => {
      if (!theirs) {
        theirs = decodeHello(new Uint8Array(data as Buffer));
        return;
      }
      if (authed) return;
      authed = true;
      const c = { dialer: own, listener: theirs };
      ws.send(encodeAuth(sign(o.signWith.secretKey, challengeSignBytes(o.chainId, "dialer", c))));
      setTimeout(() => resolve({ code: 0, authed, ws }), 300);
    });
    ws.on("close", (code) => resolve({ code, authed, ws }));
  });
}

describe("peer handshake", () => {
  test("refuses a peer on another chain id", async () => {
    const peer = key();
    const { port, network } = await listener([peer]);
    const r = await dialAs(port, { claimKey: peer, signWith: peer, chainId: "another-chain" });
    expect(r.code).toBe(CloseCode.wrongChain);
    expect(network.peersReady()).toEqual([]);
  });

  test("refuses a key that is not in the configured peer set", async () => {
    const stranger = key();
    const { port, network } = await listener([key()]);
    const r = await dialAs(port, { claimKey: stranger, signWith: stranger, chainId: CHAIN });
    expect(r.code).toBe(CloseCode.unknownKey);
    expect(network.peersReady()).toEqual([]);
  });

  test("refuses a configured key whose challenge signature is made by another key", async () => {
    const peer = key();
    const { port, network } = await listener([peer]);
    const r = await dialAs(port, { claimKey: peer, signWith: key(), chainId: CHAIN });
    expect(r.authed).toBe(true);
    expect(r.code).toBe(CloseCode.badSignature);
    expect(network.peersReady()).toEqual([]);
  });

  test("admits a configured peer that signs the challenge, and frames flow", async () => {
    const peer = key();
    const { port, network, frames } = await listener([peer]);
    const r = await dialAs(port, { claimKey: peer, signWith: peer, chainId: CHAIN });
    expect(r.code).toBe(0);
    expect(network.peersReady()).toEqual([Buffer.from(peer.publicKey).toString("hex")]);
    r.ws.send(new Uint8Array([1, 2, 3]));
    await waitFor("frame", 2000, async () => frames.length === 1);
    expect([...frames[0]!]).toEqual([1, 2, 3]);
    r.ws.terminate();
  });

  test("two PeerNetworks with each other in their peer sets connect and exchange frames both ways", async () => {
    const [pa, pb] = await freePorts(2);
    const [a, b] = [key(), key()];
    const got: Record<string, Uint8Array[]> = { a: [], b: [] };
    const make = (self: KeyPair, port: number, other: KeyPair, otherPort: number, name: string) =>
      new PeerNetwork({
        chainId: CHAIN,
        keyPair: self,
        listenHost: "127.0.0.1",
        listenPort: port,
        peers: [{ publicKey: other.publicKey, host: "127.0.0.1", port: otherPort }],
        logger: silent,
        onFrame: (_p, f) => got[name]!.push(f),
        reconnectMsMin: 20,
      });
    const na = make(a, pa!, b, pb!, "a");
    const nb = make(b, pb!, a, pa!, "b");
    networks.push(na, nb);
    await Promise.all([na.start(), nb.start()]);
    await waitFor(
      "both sides up",
      5000,
      async () => na.peersReady().length === 1 && nb.peersReady().length === 1,
    );
    na.broadcast(new Uint8Array([7]));
    nb.broadcast(new Uint8Array([8]));
    await waitFor("frames", 2000, async () => got.a!.length === 1 && got.b!.length === 1);
    expect([...got.b![0]!]).toEqual([7]);
    expect([...got.a![0]!]).toEqual([8]);
  });
});
