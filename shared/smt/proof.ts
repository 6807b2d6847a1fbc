/**
 * Inclusion, exclusion and multi-key proofs, and the stateless root
 * recomputation a fraud proof needs (docs/spec/merkle.md, Proofs). One
 * format: the tree pruned to the proven keys' paths, in pre-order.
 */
import { BytesError, compareBytes, equalBytes, toHex } from "../bytes.ts";
import { array, decode, encode, fixedBytes, type Infer, struct, taggedUnion } from "../codec/index.ts";
import type { StateKey, StateReader, StateWrite } from "../state.ts";
import { SmtKeyNotCoveredError, SmtProofError, SmtProofFailure } from "./errors.ts";
import {
  assertKey,
  isZeroHash,
  leafHash,
  nodeHash,
  SMT_KEY_BITS,
  samePrefix,
  splitIndex,
  valueHash,
} from "./hashing.ts";
import {
  applyWrites,
  EMPTY_REF,
  type LeafRef,
  leafValueHash,
  NULL_SINK,
  type OpaqueRef,
  type PreparedWrite,
  prepareWrites,
  type Ref,
  type RefSource,
  RefKind,
  type ResolvePurpose,
} from "./refs.ts";

/** 256 path branches + 256 siblings of at most 3 nodes + 1 terminal. */
export const SMT_PROOF_MAX_NODES = 1025;
export const SMT_MULTIPROOF_MAX_KEYS = 4096;
export const SMT_MULTIPROOF_MAX_NODES = 262_144;

const hash32 = fixedBytes(32);
export const smtProofNodeCodec = taggedUnion({
  branch: [0, struct({})],
  hash: [1, struct({ hash: hash32 })],
  empty: [2, struct({})],
  leaf: [3, struct({ key: hash32, valueHash: hash32 })],
  proven: [4, struct({})],
});
export type SmtProofNode = Infer<typeof smtProofNodeCodec>;
export type SmtProof = { nodes: SmtProofNode[] };

/** Single-key proofs (inclusion or exclusion). */
export const smtProofCodec = struct({ nodes: array(smtProofNodeCodec, SMT_PROOF_MAX_NODES) });
/** Multiproofs (fraud-proof witnesses). */
export const smtMultiproofCodec = struct({ nodes: array(smtProofNodeCodec, SMT_MULTIPROOF_MAX_NODES) });

export function encodeSmtProof(proof: SmtProof): Uint8Array {
  return encode(smtProofCodec, proof);
}
export function decodeSmtProof(bytes: Uint8Array): SmtProof {
  return decode(smtProofCodec, bytes);
}
export function encodeSmtMultiproof(proof: SmtProof): Uint8Array {
  return encode(smtMultiproofCodec, proof);
}
export function decodeSmtMultiproof(bytes: Uint8Array): SmtProof {
  return decode(smtMultiproofCodec, bytes);
}

/** A key with its value before the batch (`null`: absent). */
export type SmtEntry = { key: StateKey; value: Uint8Array | null };

const BRANCH: SmtProofNode = { type: "branch" };
const EMPTY: SmtProofNode = { type: "empty" };
const PROVEN: SmtProofNode = { type: "proven" };

const identity = (k: Uint8Array): Uint8Array => k;
const entryKey = (e: SmtEntry): Uint8Array => e.key;

/** Builds the pruned tree for `keys` (sorted, distinct) under `root`. */
export function generateProof(source: RefSource, root: Ref, keys: readonly StateKey[]): SmtProof {
  const nodes: SmtProofNode[] = [];
  if (keys.length === 0) emitSibling(source, root, false, nodes);
  else generate(source, root, 0, keys, 0, keys.length, nodes);
  return { nodes };
}

/** Emits the subtree with keys[lo, hi) (non-empty); true when every leaf in it is a proven key. */
function generate(
  source: RefSource,
  ref: Ref,
  depth: number,
  keys: readonly StateKey[],
  lo: number,
  hi: number,
  out: SmtProofNode[],
): boolean {
  const node = ref.kind === RefKind.Opaque ? source.resolve(ref, "descend") : ref;
  if (node.kind === RefKind.Empty) {
    out.push(EMPTY);
    return true;
  }
  if (node.kind === RefKind.Leaf) {
    for (let i = lo; i < hi; i++) {
      if (equalBytes(keys[i]!, node.key)) {
        out.push(PROVEN);
        return true;
      }
    }
    out.push({ type: "leaf", key: node.key.slice(), valueHash: leafValueHash(node).slice() });
    return false;
  }
  out.push(BRANCH);
  const mid = splitIndex(keys, identity, lo, hi, depth);
  if (lo < mid && mid < hi) {
    const leftOnlyProven = generate(source, node.left, depth + 1, keys, lo, mid, out);
    const rightOnlyProven = generate(source, node.right, depth + 1, keys, mid, hi, out);
    return leftOnlyProven && rightOnlyProven;
  }
  if (mid === hi) {
    const onlyProven = generate(source, node.left, depth + 1, keys, lo, hi, out);
    emitSibling(source, node.right, onlyProven, out);
    return onlyProven && node.right.kind === RefKind.Empty;
  }
  // Pre-order puts the left sibling first, but whether it must be typed depends on the right side.
  const right: SmtProofNode[] = [];
  const onlyProven = generate(source, node.right, depth + 1, keys, lo, hi, right);
  emitSibling(source, node.left, onlyProven, out);
  for (const n of right) out.push(n);
  return onlyProven && node.left.kind === RefKind.Empty;
}

/**
 * A subtree no proven key enters. `typed`: its counterpart may become empty
 * after writes, so the verifier must learn whether it is a lone leaf.
 */
function emitSibling(source: RefSource, ref: Ref, typed: boolean, out: SmtProofNode[]): void {
  if (ref.kind === RefKind.Empty) {
    out.push(EMPTY);
    return;
  }
  if (!typed) {
    out.push({ type: "hash", hash: ref.hash.slice() });
    return;
  }
  const node = ref.kind === RefKind.Opaque ? source.resolve(ref, "collapse") : ref;
  if (node.kind === RefKind.Leaf) {
    out.push({ type: "leaf", key: node.key.slice(), valueHash: leafValueHash(node).slice() });
    return;
  }
  out.push(BRANCH);
  for (const child of [node.left, node.right]) {
    out.push(child.kind === RefKind.Empty ? EMPTY : { type: "hash", hash: child.hash.slice() });
  }
}

function fail(code: SmtProofFailure, message: string): never {
  throw new SmtProofError(code, message);
}

/** Checks and sorts the claimed entries: 32-byte keys, distinct, within the multiproof bound. */
function sortEntries(entries: readonly SmtEntry[]): SmtEntry[] {
  if (entries.length > SMT_MULTIPROOF_MAX_KEYS) {
    fail(
      SmtProofFailure.TooManyKeys,
      `${entries.length} keys exceed the limit of ${SMT_MULTIPROOF_MAX_KEYS}.`,
    );
  }
  for (const e of entries) assertKey(e.key, "proven key");
  const sorted = [...entries].sort((a, b) => compareBytes(a.key, b.key));
  for (let i = 1; i < sorted.length; i++) {
    if (equalBytes(sorted[i]!.key, sorted[i - 1]!.key)) {
      fail(SmtProofFailure.DuplicateKey, `Key ${toHex(sorted[i]!.key)} is listed twice.`);
    }
  }
  return sorted;
}

function setBit(path: Uint8Array, depth: number, bit: number): void {
  const mask = 0x80 >> (depth & 7);
  const i = depth >> 3;
  path[i] = bit ? path[i]! | mask : path[i]! & ~mask;
}

/**
 * Rebuilds the pruned tree from proof nodes, checking every rule of the spec
 * except the root (the caller compares). Entries must be sorted and distinct.
 */
function readProof(nodes: readonly SmtProofNode[], entries: readonly SmtEntry[]): Ref {
  let position = 0;
  const path = new Uint8Array(32);

  const walk = (depth: number, lo: number, hi: number, inExpansion: boolean): Ref => {
    const node = nodes[position++];
    if (node === undefined) fail(SmtProofFailure.Truncated, `Proof ends after ${nodes.length} nodes.`);
    switch (node.type) {
      case "branch": {
        if (depth >= SMT_KEY_BITS) fail(SmtProofFailure.TooDeep, "Branch below depth 255.");
        const keyless = lo === hi;
        if (keyless && inExpansion) fail(SmtProofFailure.NonCanonicalShape, "Nested sibling expansion.");
        const mid = splitIndex(entries, entryKey, lo, hi, depth);
        setBit(path, depth, 0);
        const left = walk(depth + 1, lo, mid, keyless);
        setBit(path, depth, 1);
        const right = walk(depth + 1, mid, hi, keyless);
        setBit(path, depth, 0);
        if (
          (left.kind === RefKind.Empty && (right.kind === RefKind.Empty || right.kind === RefKind.Leaf)) ||
          (right.kind === RefKind.Empty && left.kind === RefKind.Leaf)
        ) {
          fail(SmtProofFailure.NonCanonicalShape, `Branch at depth ${depth} would be compressed away.`);
        }
        return { kind: RefKind.Node, hash: nodeHash(left.hash, right.hash), left, right };
      }
      case "hash": {
        if (lo < hi)
          fail(SmtProofFailure.KeyNotCovered, `Key ${toHex(entries[lo]!.key)} ends in a bare hash.`);
        if (isZeroHash(node.hash))
          fail(SmtProofFailure.NonCanonicalShape, "A zero hash must be sent as empty.");
        return { kind: RefKind.Opaque, hash: node.hash };
      }
      case "empty": {
        for (let i = lo; i < hi; i++) {
          if (entries[i]!.value !== null)
            fail(SmtProofFailure.ValueMismatch, `Key ${toHex(entries[i]!.key)} is absent, not present.`);
        }
        return EMPTY_REF;
      }
      case "leaf": {
        if (!samePrefix(node.key, path, depth))
          fail(SmtProofFailure.LeafOffPath, `Leaf ${toHex(node.key)} is off its path at depth ${depth}.`);
        for (let i = lo; i < hi; i++) {
          const e = entries[i]!;
          if (e.value !== null || equalBytes(e.key, node.key))
            fail(SmtProofFailure.ValueMismatch, `Key ${toHex(e.key)} does not match the proof's leaf.`);
        }
        const leaf: LeafRef = {
          kind: RefKind.Leaf,
          hash: leafHash(node.key, node.valueHash),
          key: node.key,
          value: undefined,
          valueHash: node.valueHash,
          fresh: false,
        };
        return leaf;
      }
      case "proven": {
        let present: SmtEntry | undefined;
        for (let i = lo; i < hi; i++) {
          const e = entries[i]!;
          if (e.value === null) continue;
          if (present) fail(SmtProofFailure.ValueMismatch, "Two present keys in a single-leaf subtree.");
          present = e;
        }
        if (!present)
          fail(SmtProofFailure.ValueMismatch, "Proven leaf but every key here is claimed absent.");
        const vh = valueHash(present.value!);
        const leaf: LeafRef = {
          kind: RefKind.Leaf,
          hash: leafHash(present.key, vh),
          key: present.key,
          value: present.value!,
          valueHash: vh,
          fresh: false,
        };
        return leaf;
      }
    }
  };

  const root = walk(0, 0, entries.length, false);
  if (position !== nodes.length)
    fail(SmtProofFailure.TrailingNodes, `${nodes.length - position} proof nodes left over.`);
  return root;
}

/** Verifies proof against root for the sorted entries; throws SmtProofError. */
function openProof(root: Uint8Array, proof: SmtProof, sorted: readonly SmtEntry[], maxNodes: number): Ref {
  assertKey(root, "SMT root");
  if (proof.nodes.length > maxNodes)
    fail(SmtProofFailure.TooManyNodes, `${proof.nodes.length} proof nodes exceed the limit of ${maxNodes}.`);
  const rebuilt = readProof(proof.nodes, sorted);
  if (!equalBytes(rebuilt.hash, root))
    fail(SmtProofFailure.RootMismatch, "The proof does not lead to the expected root.");
  return rebuilt;
}

function verifies(run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch (e) {
    if (e instanceof SmtProofError || e instanceof BytesError) return false;
    throw e;
  }
}

/** Does `proof` show that `key` holds `value` (or is absent, for null) under `root`? Never throws on bad input. */
export function verifyProof(
  root: Uint8Array,
  key: StateKey,
  value: Uint8Array | null,
  proof: SmtProof,
): boolean {
  return verifies(() => openProof(root, proof, sortEntries([{ key, value }]), SMT_PROOF_MAX_NODES));
}

/** Does `proof` show every entry's value (or absence) under `root`? Never throws on bad input. */
export function verifyMultiproof(root: Uint8Array, proof: SmtProof, entries: readonly SmtEntry[]): boolean {
  return verifies(() => openProof(root, proof, sortEntries(entries), SMT_MULTIPROOF_MAX_NODES));
}

const proofSource: RefSource = {
  resolve(ref: OpaqueRef, purpose: ResolvePurpose): never {
    if (purpose === "descend")
      fail(SmtProofFailure.KeyNotCovered, `Subtree ${toHex(ref.hash)} is not revealed by the proof.`);
    return fail(
      SmtProofFailure.MissingSiblingType,
      `Sibling ${toHex(ref.hash)} must be typed (leaf or branch) to apply this delete.`,
    );
  },
};

/**
 * The root after applying `writes` to the keys of a multiproof, with no
 * store: checks the multiproof against `oldRoot` first (SmtProofError if it
 * does not verify), then recomputes with the same algorithm as the tree.
 * Every written key must be one of `entries`.
 */
export function computeRootFromMultiproof(
  oldRoot: Uint8Array,
  multiproof: SmtProof,
  entries: readonly SmtEntry[],
  writes: readonly StateWrite[],
): Uint8Array {
  const sorted = sortEntries(entries);
  const rebuilt = openProof(oldRoot, multiproof, sorted, SMT_MULTIPROOF_MAX_NODES);
  const prepared = prepareCoveredWrites(writes, sorted);
  return applyWrites(proofSource, NULL_SINK, rebuilt, 0, prepared, 0, prepared.length).hash.slice();
}

function prepareCoveredWrites(writes: readonly StateWrite[], sorted: readonly SmtEntry[]): PreparedWrite[] {
  const prepared = prepareWrites(writes);
  let j = 0;
  for (const w of prepared) {
    while (j < sorted.length && compareBytes(sorted[j]!.key, w.key) < 0) j++;
    if (j === sorted.length || !equalBytes(sorted[j]!.key, w.key))
      fail(
        SmtProofFailure.WriteOutsideProof,
        `Write to ${toHex(w.key)}, a key the multiproof does not cover.`,
      );
  }
  return prepared;
}

/**
 * A StateReader over a verified multiproof, for re-executing a batch
 * without the state: reading a key outside the proof throws
 * SmtKeyNotCoveredError (the witness is incomplete).
 */
export class MultiproofStateReader implements StateReader {
  readonly #values = new Map<string, Uint8Array | null>();

  constructor(root: Uint8Array, multiproof: SmtProof, entries: readonly SmtEntry[]) {
    const sorted = sortEntries(entries);
    openProof(root, multiproof, sorted, SMT_MULTIPROOF_MAX_NODES);
    for (const e of sorted) this.#values.set(toHex(e.key), e.value === null ? null : e.value.slice());
  }

  get(key: StateKey): Uint8Array | undefined {
    const hex = toHex(key);
    const value = this.#values.get(hex);
    if (value === undefined) throw new SmtKeyNotCoveredError(hex, key);
    return value === null ? undefined : value.slice();
  }
}
