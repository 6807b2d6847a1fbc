/**
 * A seeded generator of lane blocks with a realistic mix of valid and invalid
 * transactions, for the determinism proof, property tests and benchmarks.
 * Signatures are not made: each tx carries placeholder signature bytes and the
 * generator decides its sigValid flag, as a verifier would have.
 */
import { Prng } from "../prng.ts";
import type { StateReader } from "../state.ts";
import type { StateWrite } from "../state.ts";
import { domainTag, hashTagged } from "../hash.ts";
import { type Block, executeBlock } from "./block.ts";
import { txStatusName } from "./codes.ts";
import { accountCodec, itemIdOf, keys, type LaneParams, NATIVE_ASSET, tokenIdOf } from "./records.ts";
import { decode } from "../codec/index.ts";
import { type Deposit, encodeSignedTx, type SignedTx, type TradeAsset, type TxPayload } from "./tx.ts";
import { type Genesis, genesisWrites } from "./genesis.ts";

export type WorkloadOptions = {
  seed: number;
  chainId?: string;
  lane?: number;
  accountCount?: number;
  txsPerBlock?: number;
  /** Percentage of transactions deliberately made invalid (bad signature, nonce, chain, bytes, fee). */
  invalidPercent?: number;
};

export type WorkloadBlock = { block: Block; sigValid: boolean[] };

const SIGNATURE_PLACEHOLDER = new Uint8Array(64);

export class Workload {
  readonly genesis: Genesis;
  readonly accounts: Uint8Array[];
  readonly sequencer: Uint8Array;
  private readonly prng: Prng;
  private readonly chainId: string;
  private readonly lane: number;
  private readonly txsPerBlock: number;
  private readonly invalidPercent: number;
  /** Token and item ids the generator has used (some never came to exist). */
  readonly tokens: Uint8Array[] = [];
  readonly items: Uint8Array[] = [];
  private readonly mints: {
    game: Uint8Array;
    referenceId: Uint8Array;
    owner: Uint8Array;
    metadata: Uint8Array;
  }[] = [];
  private readonly depositIds: Uint8Array[] = [];
  private height = 0n;
  private timestampMs = 1_700_000_000_000n;

  constructor(options: WorkloadOptions) {
    this.prng = new Prng(options.seed);
    this.chainId = options.chainId ?? "bitlayer-sim";
    this.lane = options.lane ?? 1;
    this.txsPerBlock = options.txsPerBlock ?? 100;
    this.invalidPercent = options.invalidPercent ?? 15;
    const count = options.accountCount ?? 200;
    this.accounts = Array.from({ length: count }, () => this.prng.bytes(32));
    this.sequencer = this.prng.bytes(32);
    const params: LaneParams = {
      gasLimitPerBlock: 600_000n,
      gasTargetPerBlock: 300_000n,
      baseFeeMinPerGas: 1n,
      baseFeeChangeDenominator: 8,
      feeShareSequencerBps: 5_000,
      feeShareValidatorsBps: 3_000,
      validatorsAccount: this.prng.bytes(32),
      treasuryAccount: this.prng.bytes(32),
    };
    this.genesis = {
      chainId: this.chainId,
      lane: this.lane,
      params,
      baseFeePerGas: 10n,
      timestampMs: this.timestampMs,
      allocations: this.accounts.map((owner) => ({ owner, amount: 1_000_000_000_000n })),
    };
  }

  /** The next block, built against `state` (the lane state after the previous block). */
  nextBlock(state: StateReader, baseFeePerGas: bigint): WorkloadBlock {
    const p = this.prng;
    this.height += 1n;
    this.timestampMs += BigInt(p.below(2_000));
    const nonces = new Map<Uint8Array, bigint>();
    const nonceOf = (a: Uint8Array): bigint => {
      let n = nonces.get(a);
      if (n === undefined) {
        const raw = state.get(keys.account(a));
        n = raw === undefined ? 0n : decode(accountCodec, raw).nonce;
      }
      return n;
    };
    const deposits: Deposit[] = [];
    for (let i = p.below(4); i > 0; i--) deposits.push(this.deposit());
    const txs: Uint8Array[] = [];
    const sigValid: boolean[] = [];
    for (let i = 0; i < this.txsPerBlock; i++) {
      const [sender, payload] = this.payload(p.pick(this.accounts));
      const nonce = nonceOf(sender);
      const tx: SignedTx = {
        body: {
          chainId: this.chainId,
          lane: this.lane,
          sender,
          nonce,
          maxFeePerGas: baseFeePerGas * 2n + BigInt(p.below(10)),
          tipPerGas: BigInt(p.below(5)),
          idempotencyKey: p.chance(1, 10) ? p.bytes(32) : null,
          payload,
        },
        signatures:
          payload.type === "trade" ? [SIGNATURE_PLACEHOLDER, SIGNATURE_PLACEHOLDER] : [SIGNATURE_PLACEHOLDER],
      };
      let valid = true;
      let bytes: Uint8Array | null = null;
      if (p.below(100) < this.invalidPercent) {
        switch (p.below(7)) {
          case 0:
            valid = false;
            break;
          case 1:
            tx.body.nonce = nonce + 1n + BigInt(p.below(3));
            break;
          case 2:
            tx.body.nonce = nonce > 0n ? nonce - 1n : nonce + 5n;
            break;
          case 3:
            tx.body.chainId = "other-chain";
            break;
          case 4:
            tx.body.maxFeePerGas = baseFeePerGas > 0n ? baseFeePerGas - 1n : 0n;
            break;
          case 5:
            tx.signatures = [];
            break;
          default: {
            const full = encodeSignedTx(tx);
            bytes = full.subarray(0, p.below(full.length));
          }
        }
      }
      bytes ??= encodeSignedTx(tx);
      // Optimistic: a tx we meant to be valid may still be rejected by the STF, which then makes
      // this sender's later txs in the block NonceTooHigh: part of the mix.
      if (tx.body.nonce === nonce && valid) nonces.set(sender, nonce + 1n);
      txs.push(bytes);
      sigValid.push(valid);
    }
    return {
      block: {
        header: {
          chainId: this.chainId,
          lane: this.lane,
          height: this.height,
          timestampMs: this.timestampMs,
          sequencer: this.sequencer,
          baseFeePerGas,
        },
        deposits,
        txs,
      },
      sigValid,
    };
  }

  private deposit(): Deposit {
    const p = this.prng;
    const replay = this.depositIds.length > 0 && p.chance(1, 5);
    const depositId = replay ? p.pick(this.depositIds) : p.bytes(32);
    if (!replay) this.depositIds.push(depositId);
    const token = this.tokens.length > 0 && p.chance(1, 4);
    return {
      depositId,
      recipient: p.pick(this.accounts),
      asset: token ? p.pick(this.tokens) : NATIVE_ASSET,
      amount: BigInt(p.below(1_000_000)),
    };
  }

  private amount(): bigint {
    const p = this.prng;
    // Mostly affordable, sometimes zero, sometimes more than anyone holds.
    const r = p.below(50);
    if (r === 0) return 0n;
    if (r === 1) return 1n << 100n;
    return BigInt(1 + p.below(1_000_000));
  }

  private someToken(): Uint8Array {
    const p = this.prng;
    return this.tokens.length > 0 && !p.chance(1, 10) ? p.pick(this.tokens) : p.bytes(32);
  }

  private someItem(): Uint8Array {
    const p = this.prng;
    return this.items.length > 0 && !p.chance(1, 10) ? p.pick(this.items) : p.bytes(32);
  }

  private tradeAsset(): TradeAsset {
    const p = this.prng;
    switch (p.below(3)) {
      case 0:
        return { type: "native", amount: this.amount() };
      case 1:
        return { type: "token", tokenId: this.someToken(), amount: this.amount() };
      default:
        return { type: "item", itemId: this.someItem() };
    }
  }

  /** A payload and its sender: a retried mint comes from the game that made the first one. */
  private payload(sender: Uint8Array): [Uint8Array, TxPayload] {
    const p = this.prng;
    const to = p.pick(this.accounts);
    const r = p.below(100);
    if (r < 30) return [sender, { type: "transfer", to, amount: this.amount() }];
    if (r < 34) {
      const symbol = `T${p.below(400)}`;
      this.tokens.push(tokenIdOf(sender, symbol));
      return [
        sender,
        { type: "createToken", symbol, decimals: p.below(20), supplyMax: BigInt(p.below(20)) * 10n ** 15n },
      ];
    }
    if (r < 42) return [sender, { type: "mintToken", tokenId: this.someToken(), to, amount: this.amount() }];
    if (r < 55)
      return [sender, { type: "transferToken", tokenId: this.someToken(), to, amount: this.amount() }];
    if (r < 66) {
      if (this.mints.length > 0 && p.chance(1, 4)) {
        const m = p.pick(this.mints);
        // A retry (identical) or a conflicting re-mint, from the game or from someone else.
        const game = p.chance(4, 5) ? m.game : sender;
        const metadata = p.chance(4, 5) ? m.metadata : p.bytes(8);
        if (game !== m.game) this.items.push(itemIdOf(game, m.referenceId));
        return [game, { type: "mintItem", referenceId: m.referenceId, owner: m.owner, metadata }];
      }
      const referenceId = p.bytes(1 + p.below(16));
      const metadata = p.bytes(p.below(64));
      this.mints.push({ game: sender, referenceId, owner: to, metadata });
      this.items.push(itemIdOf(sender, referenceId));
      return [sender, { type: "mintItem", referenceId, owner: to, metadata }];
    }
    if (r < 76) return [sender, { type: "transferItem", itemId: this.someItem(), to }];
    if (r < 79) return [sender, { type: "burnItem", itemId: this.someItem() }];
    if (r < 93) {
      const give = Array.from({ length: p.below(4) }, () => this.tradeAsset());
      const take = Array.from({ length: p.below(4) }, () => this.tradeAsset());
      return [sender, { type: "trade", counterparty: p.chance(1, 20) ? sender : to, give, take }];
    }
    const asset = p.chance(1, 3) ? this.someToken() : NATIVE_ASSET;
    return [sender, { type: "withdraw", asset, amount: this.amount(), recipient: p.bytes(32) }];
  }
}

export type WorkloadRun = {
  blocks: number;
  txCount: number;
  depositCount: number;
  /** Receipt count per status name, sorted by status code. */
  statusCounts: Record<string, number>;
  /** sha256 chain over every block's receipts hash and state root. */
  digest: Uint8Array;
  finalRoot: Uint8Array;
};

const RUN_DIGEST_TAG = domainTag("bitlayer/stf-determinism/v1");

/**
 * Runs `blocks` generated blocks from genesis. `commit` applies a block's
 * writes to the state and returns the new state root, so the same run can be
 * committed by a Merkle tree or by MemoryState.
 */
export function runWorkload(
  options: WorkloadOptions,
  blocks: number,
  state: StateReader,
  commit: (writes: StateWrite[]) => Uint8Array,
): WorkloadRun {
  const workload = new Workload(options);
  let root = commit(genesisWrites(workload.genesis));
  let digest = hashTagged(RUN_DIGEST_TAG, root);
  let baseFeePerGas = workload.genesis.baseFeePerGas;
  const counts = new Map<number, number>();
  let txCount = 0;
  let depositCount = 0;
  for (let b = 0; b < blocks; b++) {
    const { block, sigValid } = workload.nextBlock(state, baseFeePerGas);
    const result = executeBlock(state, block, sigValid);
    root = commit(result.writes);
    digest = hashTagged(RUN_DIGEST_TAG, digest, result.receiptsHash, root);
    baseFeePerGas = result.nextBaseFeePerGas;
    txCount += block.txs.length;
    depositCount += block.deposits.length;
    for (const r of result.receipts) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  }
  const statusCounts: Record<string, number> = {};
  for (const [code, n] of [...counts].sort((a, b) => a[0] - b[0])) statusCounts[txStatusName(code)] = n;
  return { blocks, txCount, depositCount, statusCounts, digest, finalRoot: root };
}

/** The run pinned by test/golden/stf-determinism.json: 101 blocks × 100 txs = 10,100 transactions. */
export const DETERMINISM_RUN = {
  options: { seed: 20_240_601, txsPerBlock: 100, invalidPercent: 15 },
  blocks: 101,
} as const satisfies { options: WorkloadOptions; blocks: number };
