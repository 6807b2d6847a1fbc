/**
 * createBitlayerClient: one object that knows the edge URL, the settlement
 * validators, the chain id and the lane, with every action bound to it
 * (viem's `createClient().extend(publicActions)` pattern). Each action is
 * also a plain function in sdk/actions/ taking the client as its first
 * argument, for tree shaking and for tests.
 */
import { ClientConfigError } from "./errors.ts";
import { http, type Transport } from "./transport.ts";
import { type BitlayerActions, bitlayerActions } from "./decorators.ts";

export type BitlayerClientConfig = {
  /** The edge Worker, e.g. "http://127.0.0.1:26750" (devnet.json `edgeUrl`). */
  edgeUrl: string;
  /** Settlement validators, tried in turn (failover). Needed for deposit, withdraw, certificates. */
  settlementUrls?: readonly string[];
  /** Must equal the network's chain id: it is part of every signature. */
  chainId: string;
  /** The execution lane this client talks to (≥ 1). */
  lane: number;
  /** Default: http() (the runtime's fetch and WebSocket). */
  transport?: Transport;
  /** Fee cap per gas for lane transactions; default twice the lane's current base fee. */
  maxFeePerGas?: bigint;
  /** Check every receipt's sequencer signature (default true); the key comes from settlement's lane record. */
  verifyReceipts?: boolean;
};

/** The configuration plus the little state actions share (nonces, cached keys). */
export type BitlayerClientBase = {
  readonly edgeUrl: string;
  readonly settlementUrls: readonly string[];
  readonly chainId: string;
  readonly lane: number;
  readonly transport: Transport;
  readonly maxFeePerGas: bigint | undefined;
  readonly verifyReceipts: boolean;
  /** Index of the settlement URL that answered last; the next call starts there. */
  readonly settlementPreferred: { index: number };
  /** Next nonce per sender (hex public key), as a promise so concurrent sends get consecutive nonces. */
  readonly nonces: Map<string, Promise<bigint>>;
  /** The lane's sequencer public key once read (receipts are verified against it). */
  readonly cache: { sequencer?: Uint8Array };
};

export type BitlayerClient = BitlayerClientBase & BitlayerActions;

const trimSlash = (url: string): string => url.replace(/\/+$/, "");

/**
 * A client for one lane of a Bitlayer network: edge transactions and reads,
 * settlement deposits and withdrawals, receipts' finality, and the light
 * client. Nothing is fetched until an action runs.
 *
 * @example
 * import { createBitlayerClient } from "bitlayer/sdk";
 * const devnet = JSON.parse(fs.readFileSync(".devnet/devnet.json", "utf8"));
 * const client = createBitlayerClient({
 *   edgeUrl: devnet.edgeUrl,
 *   settlementUrls: devnet.validatorUrls,
 *   chainId: devnet.chainId,
 *   lane: 1,
 * });
 * const { hash } = await client.transfer({ account: alice, to: bob.publicKey, amount: 1_000n });
 * await client.waitForStatus({ hash, status: "final" });
 */
export function createBitlayerClient(config: BitlayerClientConfig): BitlayerClient {
  if (!Number.isInteger(config.lane) || config.lane < 1)
    throw new ClientConfigError("lane", `lane must be an integer ≥ 1, got ${config.lane}.`);
  if (typeof config.chainId !== "string" || config.chainId.length === 0)
    throw new ClientConfigError("chainId", "chainId is required (devnet.json `chainId`).");
  if (!/^https?:\/\//.test(config.edgeUrl ?? ""))
    throw new ClientConfigError("edgeUrl", `edgeUrl must be an http(s) URL, got ${config.edgeUrl}.`);
  for (const url of config.settlementUrls ?? [])
    if (!/^https?:\/\//.test(url))
      throw new ClientConfigError("settlementUrls", `settlement URL must be http(s), got ${url}.`);
  const base: BitlayerClientBase = {
    edgeUrl: trimSlash(config.edgeUrl),
    settlementUrls: (config.settlementUrls ?? []).map(trimSlash),
    chainId: config.chainId,
    lane: config.lane,
    transport: config.transport ?? http(),
    maxFeePerGas: config.maxFeePerGas,
    verifyReceipts: config.verifyReceipts ?? true,
    settlementPreferred: { index: 0 },
    nonces: new Map(),
    cache: {},
  };
  return Object.assign(base, bitlayerActions(base));
}
