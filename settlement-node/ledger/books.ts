/**
 * Typed reads and writes of ledger records over the block overlay, with the
 * bookkeeping that makes conservation checkable: every setter that changes a
 * holding of the native token (balance, stake, unbonding, lane escrow, lane
 * bond) adds the change to `heldDelta`, and mint/burn are the only other
 * movements. At the end of a block heldDelta must equal minted − burned.
 */
import { type Codec, decode, encode } from "../../shared/codec/index.ts";
import type { StateKey } from "../../shared/state.ts";
import { Overlay } from "../../shared/stf/overlay.ts";
import type { StateReader } from "../../shared/state.ts";
import { LedgerInvariantError } from "./errors.ts";
import { type LedgerParams, paramsCodec } from "./params.ts";
import {
  type AccountRecord,
  accountCodec,
  type ChainRecord,
  chainCodec,
  type LaneRecord,
  laneCodec,
  ledgerKeys,
  registryCodec,
  type UnbondingEntry,
  unbondingCodec,
  type ValidatorRecord,
  type ValidatorSetRecord,
  validatorCodec,
  validatorSetCodec,
} from "./records.ts";

export type BooksMark = { state: number; heldDelta: bigint; minted: bigint; burned: bigint };

const EMPTY_ACCOUNT: AccountRecord = { nonce: 0n, balance: 0n };

export class Books {
  readonly state: Overlay;
  heldDelta = 0n;
  minted = 0n;
  burned = 0n;

  constructor(base: StateReader) {
    this.state = new Overlay(base);
  }

  read<T>(codec: Codec<T>, key: StateKey): T | undefined {
    const raw = this.state.get(key);
    return raw === undefined ? undefined : decode(codec, raw);
  }

  write<T>(codec: Codec<T>, key: StateKey, value: T): void {
    this.state.set(key, encode(codec, value));
  }

  mark(): BooksMark {
    return { state: this.state.mark(), heldDelta: this.heldDelta, minted: this.minted, burned: this.burned };
  }

  rollback(m: BooksMark): void {
    this.state.rollback(m.state);
    this.heldDelta = m.heldDelta;
    this.minted = m.minted;
    this.burned = m.burned;
  }

  mint(amount: bigint): void {
    this.minted += amount;
  }

  burn(amount: bigint): void {
    this.burned += amount;
  }

  chain(): ChainRecord {
    return this.required(chainCodec, ledgerKeys.chain(), "chain");
  }

  setChain(c: ChainRecord): void {
    this.write(chainCodec, ledgerKeys.chain(), c);
  }

  params(): LedgerParams {
    return this.required(paramsCodec, ledgerKeys.params(), "params");
  }

  account(address: Uint8Array): AccountRecord {
    return this.read(accountCodec, ledgerKeys.account(address)) ?? EMPTY_ACCOUNT;
  }

  setAccount(address: Uint8Array, a: AccountRecord): void {
    this.heldDelta += a.balance - this.account(address).balance;
    this.write(accountCodec, ledgerKeys.account(address), a);
  }

  /** Adds to a balance; balances are bounded by the u128 supply, so this cannot overflow. */
  credit(address: Uint8Array, amount: bigint): void {
    const a = this.account(address);
    this.setAccount(address, { nonce: a.nonce, balance: a.balance + amount });
  }

  /** false (and no change) if the balance is short. */
  debit(address: Uint8Array, amount: bigint): boolean {
    const a = this.account(address);
    if (a.balance < amount) return false;
    this.setAccount(address, { nonce: a.nonce, balance: a.balance - amount });
    return true;
  }

  validator(publicKey: Uint8Array): ValidatorRecord | undefined {
    return this.read(validatorCodec, ledgerKeys.validator(publicKey));
  }

  setValidator(v: ValidatorRecord): void {
    this.heldDelta += v.stake - (this.validator(v.publicKey)?.stake ?? 0n);
    this.write(validatorCodec, ledgerKeys.validator(v.publicKey), v);
  }

  registry(): Uint8Array[] {
    return this.read(registryCodec, ledgerKeys.registry())?.publicKeys ?? [];
  }

  setRegistry(publicKeys: Uint8Array[]): void {
    this.write(registryCodec, ledgerKeys.registry(), { publicKeys });
  }

  validatorSet(): ValidatorSetRecord {
    return this.required(validatorSetCodec, ledgerKeys.validatorSet(), "validator set");
  }

  setValidatorSet(s: ValidatorSetRecord): void {
    this.write(validatorSetCodec, ledgerKeys.validatorSet(), s);
  }

  unbonding(publicKey: Uint8Array): UnbondingEntry[] {
    return this.read(unbondingCodec, ledgerKeys.unbonding(publicKey))?.entries ?? [];
  }

  setUnbonding(publicKey: Uint8Array, entries: UnbondingEntry[]): void {
    this.heldDelta += sumAmounts(entries) - sumAmounts(this.unbonding(publicKey));
    if (entries.length === 0) this.state.set(ledgerKeys.unbonding(publicKey), null);
    else this.write(unbondingCodec, ledgerKeys.unbonding(publicKey), { entries });
  }

  lane(id: number): LaneRecord | undefined {
    return this.read(laneCodec, ledgerKeys.lane(id));
  }

  setLane(l: LaneRecord): void {
    const old = this.lane(l.id);
    this.heldDelta += l.escrow + l.bond - (old ? old.escrow + old.bond : 0n);
    this.write(laneCodec, ledgerKeys.lane(l.id), l);
  }

  private required<T>(codec: Codec<T>, key: StateKey, what: string): T {
    const v = this.read(codec, key);
    if (v === undefined)
      throw new LedgerInvariantError(`The ${what} record is missing: was genesis applied?`);
    return v;
  }
}

function sumAmounts(entries: readonly { amount: bigint }[]): bigint {
  let total = 0n;
  for (const e of entries) total += e.amount;
  return total;
}
