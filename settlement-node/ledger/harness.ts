/**
 * The settlement ledger in memory for tests, benchmarks and tools: genesis,
 * blocks of pre-verified transactions (signature validity passed as flags,
 * as the shell's verifier would set them), the app hash from the sparse
 * Merkle tree, and typed reads. Not used by the ledger itself.
 */
import { toHex } from "../../shared/bytes.ts";
import { decode, encode } from "../../shared/codec/index.ts";
import { domainTag, hashTagged } from "../../shared/hash.ts";
import { encodeSmtProof, MemoryNodeStore, SparseMerkleTree } from "../../shared/smt/index.ts";
import { batchDataOf, encodeBlock } from "../../shared/lane/batch.ts";
import {
  keys as laneKeys,
  NATIVE_ASSET,
  withdrawalCodec,
  type WithdrawalRecord,
} from "../../shared/stf/records.ts";
import { type Deposit, encodeSignedTx } from "../../shared/stf/tx.ts";
import { accountAddressOf } from "./address.ts";
import { applyBlock, type LedgerBlockResult } from "./apply.ts";
import { Books } from "./books.ts";
import { type GenesisJson, genesisWrites, parseGenesis } from "./genesis.ts";
import type { LedgerParams } from "./params.ts";
import {
  type AccountRecord,
  type ChainRecord,
  type CheckpointRecord,
  checkpointCodec,
  type DepositRecord,
  type LaneRecord,
  ledgerKeys,
  type UnbondingEntry,
  type ValidatorRecord,
} from "./records.ts";
import {
  batchHashOf,
  encodeSettlementTx,
  type SettlementPayload,
  type SignedSettlementTx,
  settlementTxHash,
  type VerifiedTx,
  type DoubleSignEvidence,
} from "./tx.ts";

const KEY_TAG = domainTag("bitlayer/test-key");

/** A deterministic 32-byte stand-in for an Ed25519 public key. */
export function testKey(name: string): Uint8Array {
  return hashTagged(KEY_TAG, new TextEncoder().encode(name));
}

export const TEST_TREASURY = accountAddressOf(testKey("treasury"));

/** Parameters small enough that every window is crossed within a few dozen blocks. */
export const TEST_LEDGER_PARAMS = {
  txFeeMin: "1",
  feeShareValidatorsBps: 5000,
  treasury: toHex(TEST_TREASURY),
  rewardPerBlockInitial: "100",
  rewardHalvingIntervalBlocks: "1000",
  bondMin: "1000",
  validatorsMax: 8,
  unbondingPeriodBlocks: "20",
  slashFractionDoubleSignBps: 500,
  evidenceRewardBps: 1000,
  evidenceAgeBlocksMax: "50",
  signedBlocksWindow: 10,
  missedBlocksMax: 5,
  jailDurationBlocks: "5",
  maintenanceBlocksMax: "20",
  laneBondMin: "500",
  challengeWindowBlocksMin: "2",
  challengeWindowBlocksMax: "10",
  batchDataBytesMax: 4096,
} satisfies GenesisJson["params"];

export const TEST_CHAIN_ID = "bitlayer-test";

/** Validators v0..v(n-1) with `stake` each, and accounts a0..a(m-1) (by key) with `balance` each. */
export function testGenesis(
  options: { validators?: number; stake?: bigint; accounts?: number; balance?: bigint } = {},
): GenesisJson {
  const { validators = 4, stake = 10_000n, accounts = 4, balance = 1_000_000n } = options;
  return {
    chainId: TEST_CHAIN_ID,
    genesisTimeMs: "1700000000000",
    validators: Array.from({ length: validators }, (_, i) => ({
      publicKey: toHex(testKey(`v${i}`)),
      stake: String(stake),
    })),
    accounts: [
      ...Array.from({ length: accounts }, (_, i) => ({
        address: toHex(accountAddressOf(testKey(`a${i}`))),
        balance: String(balance),
      })),
      ...Array.from({ length: validators }, (_, i) => ({
        address: toHex(accountAddressOf(testKey(`v${i}`))),
        balance: String(balance),
      })),
    ],
    params: TEST_LEDGER_PARAMS,
  };
}

export type HarnessTxOptions = {
  nonce?: bigint;
  fee?: bigint;
  sigValid?: boolean;
  checkpointSigValid?: boolean;
  evidence?: DoubleSignEvidence | null;
};

export class LedgerHarness {
  readonly tree = new SparseMerkleTree(new MemoryNodeStore());
  appHash: Uint8Array;
  timeMs: bigint;
  private readonly pendingNonces = new Map<string, bigint>();

  constructor(genesis: GenesisJson = testGenesis()) {
    const g = parseGenesis(genesis);
    this.appHash = this.tree.update(genesisWrites(g).writes);
    this.timeMs = g.genesisTimeMs;
  }

  /** A pre-verified transaction from `sender`; the nonce follows the state and earlier txs of this block. */
  tx(sender: Uint8Array, payload: SettlementPayload, o: HarnessTxOptions = {}): VerifiedTx {
    const id = toHex(sender);
    const nonce = o.nonce ?? this.pendingNonces.get(id) ?? this.account(accountAddressOf(sender)).nonce;
    this.pendingNonces.set(id, nonce + 1n);
    const tx: SignedSettlementTx = {
      body: { sender, nonce, fee: o.fee ?? 1n, payload },
      signature: new Uint8Array(64),
    };
    const vtx: VerifiedTx = {
      tx,
      hash: settlementTxHash(encodeSettlementTx(tx)),
      sigValid: o.sigValid ?? true,
    };
    if (payload.type === "postCheckpoint") vtx.checkpointSigValid = o.checkpointSigValid ?? true;
    if (payload.type === "reportDoubleSign") vtx.evidence = o.evidence ?? null;
    return vtx;
  }

  /** Applies a block at the next height; by default the whole previous set signed the last commit. */
  block(txs: VerifiedTx[] = [], o: { signers?: Uint8Array[]; timeMs?: bigint } = {}): LedgerBlockResult {
    this.pendingNonces.clear();
    this.timeMs = o.timeMs ?? this.timeMs + 1000n;
    const signers =
      o.signers ??
      this.books()
        .validatorSet()
        .previous.map((m) => m.publicKey);
    const result = applyBlock(this.tree, {
      height: this.height + 1n,
      timeMs: this.timeMs,
      lastCommitSigners: signers,
      txs,
    });
    this.appHash = this.tree.update(result.writes);
    return result;
  }

  /** Applies empty blocks until the chain is at `height`. */
  advanceTo(height: bigint): void {
    while (this.height < height) this.block();
  }

  books(): Books {
    return new Books(this.tree);
  }
  get height(): bigint {
    return this.chain().height;
  }
  chain(): ChainRecord {
    return this.books().chain();
  }
  params(): LedgerParams {
    return this.books().params();
  }
  account(address: Uint8Array): AccountRecord {
    return this.books().account(address);
  }
  balanceOf(key: Uint8Array): bigint {
    return this.account(accountAddressOf(key)).balance;
  }
  validator(key: Uint8Array): ValidatorRecord | undefined {
    return this.books().validator(key);
  }
  unbonding(key: Uint8Array): UnbondingEntry[] {
    return this.books().unbonding(key);
  }
  lane(id: number): LaneRecord | undefined {
    return this.books().lane(id);
  }
  checkpoint(lane: number, index: bigint): CheckpointRecord | undefined {
    return this.books().read(checkpointCodec, ledgerKeys.checkpoint(lane, index));
  }
  currentSet(): Uint8Array[] {
    return this.books()
      .validatorSet()
      .current.map((m) => m.publicKey);
  }

  /**
   * Every native token held by the given keys' accounts, the treasury,
   * validators and lanes, summed from the records themselves: the
   * conservation tests compare it with the chain's supply.
   */
  holdings(keys: readonly Uint8Array[]): bigint {
    const books = this.books();
    let total = books.account(books.params().treasury).balance;
    for (const k of keys) {
      total += books.account(accountAddressOf(k)).balance;
      total += books.validator(k)?.stake ?? 0n;
      for (const e of books.unbonding(k)) total += e.amount;
    }
    for (let id = 1; id <= books.chain().laneCount; id++) {
      const lane = books.lane(id)!;
      total += lane.escrow + lane.bond;
    }
    return total;
  }
}

/**
 * A lane's state tree holding withdrawal leaves exactly as the lane STF
 * writes them, to produce checkpoint roots and inclusion proofs.
 */
export class LaneWithdrawalTree {
  readonly tree = new SparseMerkleTree(new MemoryNodeStore());
  readonly leaves: WithdrawalRecord[] = [];

  add(leaves: WithdrawalRecord[]): Uint8Array {
    this.leaves.push(...leaves);
    return this.tree.update(
      leaves.map((w) => ({ key: laneKeys.withdrawal(w.id), value: encode(withdrawalCodec, w) })),
    );
  }
  get root(): Uint8Array {
    return this.tree.root;
  }
  /** The claim payload fields for withdrawal `id` against root `root`. */
  claim(id: bigint, root: Uint8Array = this.tree.root): { withdrawal: Uint8Array; proof: Uint8Array } {
    const raw = this.tree.getAt(root, laneKeys.withdrawal(id));
    if (!raw) throw new Error(`withdrawal ${id} is not in the lane tree at that root`);
    decode(withdrawalCodec, raw);
    return { withdrawal: raw, proof: encodeSmtProof(this.tree.prove(laneKeys.withdrawal(id), root)) };
  }
}

/** A postCheckpoint payload with a consistent batch hash. */
export function checkpointPayload(p: {
  lane: number;
  index: bigint;
  prevRoot: Uint8Array;
  newRoot: Uint8Array;
  sequencer: Uint8Array;
  withdrawalCount?: bigint;
  depositCursor?: bigint;
  forcedCursor?: bigint;
  /** Canonical batch data; default: an encoded batch of no blocks. */
  batchData?: Uint8Array;
  stfVersion?: number;
}): Extract<SettlementPayload, { type: "postCheckpoint" }> {
  const batchData = p.batchData ?? batchDataOf([]);
  return {
    type: "postCheckpoint",
    lane: p.lane,
    index: p.index,
    prevRoot: p.prevRoot,
    newRoot: p.newRoot,
    withdrawalCount: p.withdrawalCount ?? 0n,
    depositCursor: p.depositCursor ?? 0n,
    forcedCursor: p.forcedCursor ?? 0n,
    batchData,
    batchHash: batchHashOf(batchData),
    stfVersion: p.stfVersion ?? 1,
    sequencer: p.sequencer,
    sequencerSignature: new Uint8Array(64),
  };
}

/** Canonical bytes of a signed lane transfer for `lane` (placeholder signatures: settlement does not check them). */
export function laneTxBytes(lane: number, nonce: bigint, chainId = TEST_CHAIN_ID): Uint8Array {
  const sender = testKey(`lane-user-${nonce}`);
  return encodeSignedTx({
    body: {
      chainId,
      lane,
      sender,
      nonce,
      maxFeePerGas: 100n,
      tipPerGas: 0n,
      idempotencyKey: null,
      payload: { type: "transfer", to: testKey("lane-bob"), amount: 1n },
    },
    signatures: [new Uint8Array(64)],
  });
}

/** The lane deposit settlement's deposit record `d` asks the lane to credit. */
export function laneDepositOf(d: DepositRecord): Deposit {
  return { depositId: d.laneDepositId, recipient: d.recipient, asset: NATIVE_ASSET, amount: d.amount };
}

/** Batch data of lane blocks holding the given deposits and transactions (headers are placeholders). */
export function laneBatch(
  lane: number,
  blocks: { deposits?: Deposit[]; txs?: Uint8Array[] }[],
  chainId = TEST_CHAIN_ID,
): Uint8Array {
  return batchDataOf(
    blocks.map((b, i) =>
      encodeBlock({
        header: {
          chainId,
          lane,
          height: BigInt(i + 1),
          timestampMs: 0n,
          sequencer: new Uint8Array(32),
          baseFeePerGas: 1n,
        },
        deposits: b.deposits ?? [],
        txs: b.txs ?? [],
      }),
    ),
  );
}
