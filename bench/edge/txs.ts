/**
 * Signed lane transfers for the edge benchmarks, made before the clock starts:
 * the devnet accounts the Worker funds at genesis (DEVNET_ACCOUNTS_SEED of
 * wrangler.toml, derived as workers/src/sequencer/config.ts does), each
 * signing its own nonce sequence with node:crypto (a cached private key; much
 * faster than noble, and Ed25519 is deterministic so the bytes are the same).
 */
import * as crypto from "node:crypto";
import { fromHex, toHex } from "../../shared/bytes.ts";
import { publicKeyFromSecret } from "../../shared/crypto/keys.ts";
import { deriveSeed } from "../../shared/lane/genesis.ts";
import { encodeSignedTx, type TxBody, txSignBytes } from "../../shared/stf/tx.ts";

const PKCS8_ED25519_PREFIX = fromHex("302e020100300506032b657004220420");

export type BenchAccount = {
  index: number;
  publicKey: Uint8Array;
  key: crypto.KeyObject;
  /** Next nonce to sign (the lane's nonce after every transaction signed so far is applied). */
  nonce: bigint;
};

export function benchAccounts(accountsSeedHex: string, count: number): BenchAccount[] {
  return Array.from({ length: count }, (_, index) => {
    const secret = deriveSeed(fromHex(accountsSeedHex), `account/${index}`);
    const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
    der.set(PKCS8_ED25519_PREFIX);
    der.set(secret, PKCS8_ED25519_PREFIX.length);
    const key = crypto.createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
    return { index, publicKey: publicKeyFromSecret(secret), key, nonce: 0n };
  });
}

/** A recipient no account signs for: transfers land on one existing leaf after the first. */
const SINK = fromHex("5151515151515151515151515151515151515151515151515151515151515151");

/** The next `count` transfers of `from` (hex of the canonical signed bytes); advances its nonce. */
export function signTransfers(
  from: BenchAccount,
  o: {
    chainId: string;
    lane: number;
    count: number;
    /** Recipient of the k-th transfer (default: one fixed sink account). */
    to?: (k: number) => Uint8Array;
    amount?: (k: number) => bigint;
  },
): string[] {
  const out: string[] = [];
  for (let k = 0; k < o.count; k++) {
    const body: TxBody = {
      chainId: o.chainId,
      lane: o.lane,
      sender: from.publicKey,
      nonce: from.nonce++,
      maxFeePerGas: 100n,
      tipPerGas: 1n,
      idempotencyKey: null,
      payload: { type: "transfer", to: o.to?.(k) ?? SINK, amount: o.amount?.(k) ?? 1n },
    };
    const signature = new Uint8Array(crypto.sign(null, txSignBytes(body), from.key));
    out.push(toHex(encodeSignedTx({ body, signatures: [signature] })));
  }
  return out;
}
