/**
 * A lane in memory for tests and tools: genesis, a block builder that signs
 * nothing (signature validity is passed as flags, as the verifier would) and
 * typed reads of the resulting state. Not used by the STF itself.
 */
import { decode } from "../codec/index.ts";
import type { StateReader } from "../state.ts";
import { domainTag, hashTagged } from "../hash.ts";
import { type BlockResult, executeBlock } from "./block.ts";
import { type Genesis, genesisWrites } from "./genesis.ts";
import { Ledger } from "./ledger.ts";
import { MemoryState } from "./memory-state.ts";
import { Overlay } from "./overlay.ts";
import {
  type ItemRecord,
  keys,
  type LaneParams,
  type LaneRecord,
  laneRecordCodec,
  type SupplyRecord,
  withdrawalCodec,
  type WithdrawalRecord,
} from "./records.ts";
import {
  type BlockHeader,
  type Deposit,
  encodeSignedTx,
  type SignedTx,
  type TxBody,
  type TxPayload,
} from "./tx.ts";

const ADDRESS_TAG = domainTag("bitlayer/test-address");

/** A deterministic 32-byte test address from a name. */
export function testAddress(name: string): Uint8Array {
  return hashTagged(ADDRESS_TAG, new TextEncoder().encode(name));
}

export const TEST_PARAMS: LaneParams = {
  gasLimitPerBlock: 100_000n,
  gasTargetPerBlock: 50_000n,
  baseFeeMinPerGas: 1n,
  baseFeeChangeDenominator: 8,
  feeShareSequencerBps: 5_000,
  feeShareValidatorsBps: 3_000,
  validatorsAccount: testAddress("validators"),
  treasuryAccount: testAddress("treasury"),
};

export type TxOptions = Partial<Omit<TxBody, "payload" | "sender">> & { signatureCount?: number };
export type BlockOptions = {
  deposits?: Deposit[];
  sigValid?: boolean[];
  timestampMs?: bigint;
  baseFeePerGas?: bigint;
};

/** Typed reads of lane records from any StateReader. */
export class LaneView {
  readonly reader: StateReader;

  constructor(reader: StateReader) {
    this.reader = reader;
  }

  get lane(): LaneRecord {
    return decode(laneRecordCodec, this.reader.get(keys.lane())!);
  }

  private get ledger(): Ledger {
    return new Ledger(new Overlay(this.reader));
  }

  nonce(owner: Uint8Array): bigint {
    return this.ledger.nonce(owner);
  }

  balance(owner: Uint8Array, asset: Uint8Array): bigint {
    return this.ledger.balance(owner, asset);
  }

  item(itemId: Uint8Array): ItemRecord | undefined {
    return this.ledger.item(itemId);
  }

  supply(asset: Uint8Array): SupplyRecord {
    return this.ledger.supply(asset);
  }

  withdrawal(id: bigint): WithdrawalRecord | undefined {
    const raw = this.reader.get(keys.withdrawal(id));
    return raw === undefined ? undefined : decode(withdrawalCodec, raw);
  }
}

export class LaneHarness extends LaneView {
  readonly state: MemoryState;
  readonly genesis: Genesis;
  readonly sequencer = testAddress("sequencer");

  constructor(allocations: { owner: Uint8Array; amount: bigint }[], params: LaneParams = TEST_PARAMS) {
    const state = new MemoryState();
    super(state);
    this.state = state;
    this.genesis = {
      chainId: "bitlayer-test",
      lane: 1,
      params,
      baseFeePerGas: 10n,
      timestampMs: 1_000n,
      allocations,
    };
    this.state.apply(genesisWrites(this.genesis));
  }

  /** The tx's canonical bytes; nonce defaults to the sender's next nonce in the committed state. */
  tx(sender: Uint8Array, payload: TxPayload, options: TxOptions = {}): Uint8Array {
    const { signatureCount, ...fields } = options;
    const body: TxBody = {
      chainId: this.genesis.chainId,
      lane: this.genesis.lane,
      sender,
      nonce: this.nonce(sender),
      maxFeePerGas: 1_000n,
      tipPerGas: 1n,
      idempotencyKey: null,
      ...fields,
      payload,
    };
    const count = signatureCount ?? (payload.type === "trade" ? 2 : 1);
    const tx: SignedTx = { body, signatures: Array.from({ length: count }, () => new Uint8Array(64)) };
    return encodeSignedTx(tx);
  }

  header(options: BlockOptions = {}): BlockHeader {
    const lane = this.lane;
    return {
      chainId: lane.chainId,
      lane: lane.lane,
      height: lane.height + 1n,
      timestampMs: options.timestampMs ?? lane.timestampMs + 500n,
      sequencer: this.sequencer,
      baseFeePerGas: options.baseFeePerGas ?? lane.baseFeePerGas,
    };
  }

  /** Executes the next block without committing it. */
  execute(txs: Uint8Array[], options: BlockOptions = {}): BlockResult {
    const block = { header: this.header(options), deposits: options.deposits ?? [], txs };
    return executeBlock(this.state, block, options.sigValid ?? txs.map(() => true));
  }

  /** Executes and commits the next block. */
  commit(txs: Uint8Array[], options: BlockOptions = {}): BlockResult {
    const result = this.execute(txs, options);
    this.state.apply(result.writes);
    return result;
  }
}
