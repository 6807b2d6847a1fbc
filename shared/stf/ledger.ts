/**
 * Typed reads and writes of lane records over the block overlay. Remembers
 * which balance, item and supply keys a block touched, so the conservation
 * check can compare them with the pre-state afterwards.
 */
import { type Codec, decode, encode } from "../codec/index.ts";
import { hashMapKey } from "../hash.ts";
import type { StateKey } from "../state.ts";
import { U128_MAX } from "./limits.ts";
import type { Overlay } from "./overlay.ts";
import {
  accountCodec,
  balanceCodec,
  collectionIdOf,
  type ItemRecord,
  itemCodec,
  keys,
  NATIVE_ASSET,
  type SupplyRecord,
  supplyCodec,
  type TokenRecord,
  tokenCodec,
  ZERO_SUPPLY,
} from "./records.ts";

export type Touched = { key: StateKey; asset: Uint8Array };
export type LedgerMark = { state: number; deferred: [StateKey, Uint8Array, bigint][] };

export class Ledger {
  readonly state: Overlay;
  /** Balance keys written this block → their asset. */
  readonly touchedBalances = new Map<string, Touched>();
  /** Item keys written this block → their collection id. */
  readonly touchedItems = new Map<string, Touched>();
  /** Supply keys written this block → their asset. */
  readonly touchedSupplies = new Map<string, Touched>();

  /**
   * Token balance keys derived this block (keys.balance memoizes native
   * balances and accounts itself, not tokens): each derivation is a SHA-256.
   * Keyed by hashMapKey of the 32-byte asset, then owner: nested maps, as a
   * concatenated string key would be re-flattened on every lookup.
   */
  readonly #balanceKeys = new Map<string, Map<string, StateKey>>();
  /**
   * Account and native balance keys by owner object: a decoded transaction's
   * sender and recipient arrays, the sequencer's and the fee accounts' come
   * back several times per transaction, and an identity lookup is cheaper
   * than keys' own cache. Owners are never mutated (decoded transactions and
   * records are read-only).
   */
  readonly #accountKeyByObject = new Map<Uint8Array, StateKey>();
  readonly #nativeBalanceKeyByObject = new Map<Uint8Array, StateKey>();
  /** Balance key objects already in touchedBalances (its entry for a key never changes). */
  readonly #touchedBalanceKeys = new Set<StateKey>();

  constructor(state: Overlay) {
    this.state = state;
  }

  #accountKey(owner: Uint8Array): StateKey {
    let key = this.#accountKeyByObject.get(owner);
    if (key === undefined) {
      key = keys.account(owner);
      if (owner.length === 32) this.#accountKeyByObject.set(owner, key);
    }
    return key;
  }

  #balanceKey(owner: Uint8Array, asset: Uint8Array): StateKey {
    if (asset !== NATIVE_ASSET) return this.#balanceKeyById(owner, asset);
    let key = this.#nativeBalanceKeyByObject.get(owner);
    if (key === undefined) {
      key = keys.balance(owner, asset);
      if (owner.length === 32) this.#nativeBalanceKeyByObject.set(owner, key);
    }
    return key;
  }

  #balanceKeyById(owner: Uint8Array, asset: Uint8Array): StateKey {
    if (owner.length !== 32 || asset.length !== 32) return keys.balance(owner, asset);
    const assetId = hashMapKey(asset);
    let byOwner = this.#balanceKeys.get(assetId);
    if (byOwner === undefined) {
      byOwner = new Map();
      this.#balanceKeys.set(assetId, byOwner);
    }
    const ownerId = hashMapKey(owner);
    let key = byOwner.get(ownerId);
    if (key === undefined) {
      key = keys.balance(owner, asset);
      byOwner.set(ownerId, key);
    }
    return key;
  }

  read<T>(codec: Codec<T>, key: StateKey): T | undefined {
    const raw = this.state.get(key);
    return raw === undefined ? undefined : decode(codec, raw);
  }

  write<T>(codec: Codec<T>, key: StateKey, value: T): void {
    this.state.set(key, encode(codec, value));
  }

  /**
   * Decoded nonces and amounts by record object: the overlay hands back the
   * very array that was set (rollback included) or first read from the base,
   * so a record read again is not decoded again.
   * Records are never mutated, so a hit is always the record's value.
   */
  readonly #decodedNonces = new WeakMap<Uint8Array, bigint>();
  readonly #decodedAmounts = new WeakMap<Uint8Array, bigint>();

  nonce(owner: Uint8Array): bigint {
    const raw = this.state.get(this.#accountKey(owner));
    if (raw === undefined) return 0n;
    return this.#decodedNonces.get(raw) ?? decode(accountCodec, raw).nonce;
  }

  setNonce(owner: Uint8Array, nonce: bigint): void {
    const raw = encode(accountCodec, { nonce });
    this.#decodedNonces.set(raw, nonce);
    this.state.set(this.#accountKey(owner), raw);
  }

  balance(owner: Uint8Array, asset: Uint8Array): bigint {
    const key = this.#balanceKey(owner, asset);
    const deferred = this.#deferred.size === 0 ? 0n : (this.#deferred.get(key)?.amount ?? 0n);
    const raw = this.state.get(key);
    if (raw === undefined) return deferred;
    let amount = this.#decodedAmounts.get(raw);
    if (amount === undefined) {
      amount = decode(balanceCodec, raw).amount;
      this.#decodedAmounts.set(raw, amount);
    }
    return amount + deferred;
  }

  /**
   * Native credits not yet written, by balance key object (#balanceKey
   * returns one object per owner and asset in a block). The fee split credits
   * the same three accounts after every transaction; writing their balance
   * once per block instead of three times per transaction gives the same
   * final state: every read (balance) adds the pending amount, every write
   * (setBalance) absorbs it, and mark/rollback cover it.
   */
  readonly #deferred = new Map<StateKey, { owner: Uint8Array; amount: bigint }>();

  /** credit(owner, NATIVE_ASSET, amount), written by flushDeferredCredits() (or any earlier setBalance of that account). */
  creditDeferred(owner: Uint8Array, amount: bigint): boolean {
    if (owner.length !== 32) return this.credit(owner, NATIVE_ASSET, amount);
    const next = this.balance(owner, NATIVE_ASSET) + amount;
    if (next > U128_MAX) return false;
    const key = this.#balanceKey(owner, NATIVE_ASSET);
    const entry = this.#deferred.get(key);
    if (entry) entry.amount += amount;
    else {
      this.#deferred.set(key, { owner, amount });
      this.touchedBalances.set(hashMapKey(key), { key, asset: NATIVE_ASSET });
    }
    return true;
  }

  /** Writes every deferred credit (also a zero one: the per-transaction write happened too). */
  flushDeferredCredits(): void {
    for (const { owner } of [...this.#deferred.values()])
      this.setBalance(owner, NATIVE_ASSET, this.balance(owner, NATIVE_ASSET));
    this.#deferred.clear();
  }

  /** A point to roll back to: the overlay's journal and the deferred credits. */
  mark(): LedgerMark {
    const deferred: [StateKey, Uint8Array, bigint][] = [];
    for (const [key, d] of this.#deferred) deferred.push([key, d.owner, d.amount]);
    return { state: this.state.mark(), deferred };
  }

  rollback(mark: LedgerMark): void {
    this.state.rollback(mark.state);
    this.#deferred.clear();
    for (const [key, owner, amount] of mark.deferred) this.#deferred.set(key, { owner, amount });
  }

  /** Zero balances are deleted, so the tree holds only live balances. */
  setBalance(owner: Uint8Array, asset: Uint8Array, amount: bigint): void {
    const key = this.#balanceKey(owner, asset);
    // `amount` was computed from balance(), which included any deferred credit.
    const deferred = this.#deferred.get(key);
    if (deferred) deferred.amount = 0n;
    if (!this.#touchedBalanceKeys.has(key)) {
      this.#touchedBalanceKeys.add(key);
      this.touchedBalances.set(hashMapKey(key), { key, asset });
    }
    if (amount === 0n) {
      this.state.set(key, null);
      return;
    }
    const raw = encode(balanceCodec, { amount });
    this.#decodedAmounts.set(raw, amount);
    this.state.set(key, raw);
  }

  /** False (and nothing written) if the balance is too small. */
  debit(owner: Uint8Array, asset: Uint8Array, amount: bigint): boolean {
    const have = this.balance(owner, asset);
    if (have < amount) return false;
    this.setBalance(owner, asset, have - amount);
    return true;
  }

  /** False (and nothing written) if the balance would overflow u128. */
  credit(owner: Uint8Array, asset: Uint8Array, amount: bigint): boolean {
    const next = this.balance(owner, asset) + amount;
    if (next > U128_MAX) return false;
    this.setBalance(owner, asset, next);
    return true;
  }

  token(tokenId: Uint8Array): TokenRecord | undefined {
    return this.read(tokenCodec, keys.token(tokenId));
  }

  supply(asset: Uint8Array): SupplyRecord {
    return this.read(supplyCodec, keys.supply(asset)) ?? ZERO_SUPPLY;
  }

  /** Adds to one counter of an asset's supply; false (nothing written) on u128 overflow. */
  addSupply(asset: Uint8Array, field: keyof SupplyRecord, amount: bigint): boolean {
    const s = this.supply(asset);
    const next = s[field] + amount;
    if (next > U128_MAX) return false;
    const key = keys.supply(asset);
    this.touchedSupplies.set(hashMapKey(key), { key, asset });
    this.write(supplyCodec, key, { ...s, [field]: next });
    return true;
  }

  item(itemId: Uint8Array): ItemRecord | undefined {
    return this.read(itemCodec, keys.item(itemId));
  }

  setItem(itemId: Uint8Array, item: ItemRecord): void {
    const key = keys.item(itemId);
    this.touchedItems.set(hashMapKey(key), { key, asset: collectionIdOf(item.game) });
    this.write(itemCodec, key, item);
  }
}
