/**
 * The one batch-update algorithm, shared by the stored tree and the stateless
 * (multiproof) tree so that a fraud proof recomputes roots with exactly the
 * code the sequencer used. Subtrees are handled as `Ref`s; where children
 * come from (a node store, or a verified proof) is a `RefSource`.
 */
import { compareBytes, equalBytes } from "../bytes.ts";
import type { StateWrite } from "../state.ts";
import { assertKey, isZeroHash, leafHash, nodeHash, splitIndex, valueHash, ZERO_HASH } from "./hashing.ts";

export const RefKind = { Empty: 0, Leaf: 1, Node: 2, Opaque: 3 } as const;

export type EmptyRef = { readonly kind: 0; readonly hash: Uint8Array };
export type LeafRef = {
  readonly kind: 1;
  readonly hash: Uint8Array;
  readonly key: Uint8Array;
  /** Known for leaves read from a store or a `proven` proof node; absent for other proof leaves. */
  value: Uint8Array | undefined;
  /** Computed lazily from `value` when absent. */
  valueHash: Uint8Array | undefined;
  /** Made by this update (to be stored), as opposed to read. */
  fresh: boolean;
};
/** An internal node: a subtree with at least two leaves. */
export type NodeRef = {
  readonly kind: 2;
  readonly hash: Uint8Array;
  readonly left: Ref;
  readonly right: Ref;
};
/** A non-empty subtree known only by its hash (not loaded yet, or not revealed by a proof). */
export type OpaqueRef = { readonly kind: 3; readonly hash: Uint8Array };
export type Ref = EmptyRef | LeafRef | NodeRef | OpaqueRef;

export const EMPTY_REF: EmptyRef = { kind: RefKind.Empty, hash: ZERO_HASH };

export function refForHash(hash: Uint8Array): EmptyRef | OpaqueRef {
  return isZeroHash(hash) ? EMPTY_REF : { kind: RefKind.Opaque, hash };
}

export function leafValueHash(leaf: LeafRef): Uint8Array {
  if (leaf.valueHash === undefined) leaf.valueHash = valueHash(leaf.value!);
  return leaf.valueHash;
}

/** Why an opaque subtree must be opened: to apply writes inside it, or to know if it is a lone leaf. */
export type ResolvePurpose = "descend" | "collapse";

export interface RefSource {
  /** Opens an opaque subtree, keeping its `hash` object (unchanged-subtree checks compare hash identity). */
  resolve(ref: OpaqueRef, purpose: ResolvePurpose): LeafRef | NodeRef;
}

export interface RefSink {
  created(ref: LeafRef | NodeRef): void;
  replaced(ref: LeafRef | NodeRef): void;
}

export const NULL_SINK: RefSink = { created() {}, replaced() {} };

/** One deduplicated write; `leaf` is null for a delete. */
export type PreparedWrite = { readonly key: Uint8Array; readonly leaf: LeafRef | null };

export function freshLeaf(key: Uint8Array, value: Uint8Array): LeafRef {
  const vh = valueHash(value);
  return { kind: RefKind.Leaf, hash: leafHash(key, vh), key, value, valueHash: vh, fresh: true };
}

/** Sorts writes by key and keeps the last write of each key (a block's writes in order). */
export function prepareWrites(writes: readonly StateWrite[]): PreparedWrite[] {
  const ordered = writes.map((w, order) => {
    assertKey(w.key, "StateWrite key");
    return { w, order };
  });
  ordered.sort((a, b) => compareBytes(a.w.key, b.w.key) || a.order - b.order);
  const out: PreparedWrite[] = [];
  for (let i = 0; i < ordered.length; i++) {
    const { w } = ordered[i]!;
    const next = ordered[i + 1];
    if (next && equalBytes(next.w.key, w.key)) continue;
    out.push({ key: w.key, leaf: w.value === null ? null : freshLeaf(w.key, w.value) });
  }
  return out;
}

const writeKey = (w: PreparedWrite): Uint8Array => w.key;
const leafKey = (l: LeafRef): Uint8Array => l.key;

/**
 * Applies writes[lo, hi) (sorted, distinct keys, all under this subtree) to
 * the subtree `ref` at `depth`. Returns `ref` itself (same hash object) when
 * nothing changed, so callers skip rehashing.
 */
export function applyWrites(
  source: RefSource,
  sink: RefSink,
  ref: Ref,
  depth: number,
  writes: readonly PreparedWrite[],
  lo: number,
  hi: number,
): Ref {
  if (lo === hi) return ref;
  const node = ref.kind === RefKind.Opaque ? source.resolve(ref, "descend") : ref;
  if (node.kind === RefKind.Empty) {
    const leaves: LeafRef[] = [];
    for (let i = lo; i < hi; i++) {
      const leaf = writes[i]!.leaf;
      if (leaf) leaves.push(leaf);
    }
    if (leaves.length === 0) return ref;
    return build(source, sink, leaves, 0, leaves.length, depth);
  }
  if (node.kind === RefKind.Leaf) return mergeIntoLeaf(source, sink, node, depth, writes, lo, hi);
  const mid = splitIndex(writes, writeKey, lo, hi, depth);
  const left = applyWrites(source, sink, node.left, depth + 1, writes, lo, mid);
  const right = applyWrites(source, sink, node.right, depth + 1, writes, mid, hi);
  if (left.hash === node.left.hash && right.hash === node.right.hash) return node;
  sink.replaced(node);
  return combine(source, sink, left, right);
}

function mergeIntoLeaf(
  source: RefSource,
  sink: RefSink,
  existing: LeafRef,
  depth: number,
  writes: readonly PreparedWrite[],
  lo: number,
  hi: number,
): Ref {
  const leaves: LeafRef[] = [];
  let placed = false;
  let changed = false;
  for (let i = lo; i < hi; i++) {
    const w = writes[i]!;
    const order = compareBytes(w.key, existing.key);
    if (order === 0) {
      placed = true;
      if (w.leaf && equalBytes(w.leaf.hash, existing.hash)) {
        leaves.push(existing);
      } else {
        changed = true;
        sink.replaced(existing);
        if (w.leaf) leaves.push(w.leaf);
      }
      continue;
    }
    if (order > 0 && !placed) {
      leaves.push(existing);
      placed = true;
    }
    if (w.leaf) {
      leaves.push(w.leaf);
      changed = true;
    }
  }
  if (!placed) leaves.push(existing);
  if (!changed) return existing;
  return build(source, sink, leaves, 0, leaves.length, depth);
}

/** The subtree at `depth` holding exactly leaves[lo, hi) (sorted, sharing `depth` bits). */
function build(
  source: RefSource,
  sink: RefSink,
  leaves: readonly LeafRef[],
  lo: number,
  hi: number,
  depth: number,
): Ref {
  if (lo === hi) return EMPTY_REF;
  if (hi - lo === 1) {
    const leaf = leaves[lo]!;
    if (leaf.fresh) sink.created(leaf);
    return leaf;
  }
  const mid = splitIndex(leaves, leafKey, lo, hi, depth);
  return combine(
    source,
    sink,
    build(source, sink, leaves, lo, mid, depth + 1),
    build(source, sink, leaves, mid, hi, depth + 1),
  );
}

/** Parent of two subtrees, applying the compression rule: a lone leaf is its own subtree. */
function combine(source: RefSource, sink: RefSink, left: Ref, right: Ref): Ref {
  if (left.kind === RefKind.Empty) {
    const lifted = liftIfAlone(source, right);
    if (lifted) return lifted;
  } else if (right.kind === RefKind.Empty) {
    const lifted = liftIfAlone(source, left);
    if (lifted) return lifted;
  }
  const node: NodeRef = { kind: RefKind.Node, hash: nodeHash(left.hash, right.hash), left, right };
  sink.created(node);
  return node;
}

/** A subtree whose sibling is empty replaces its parent when it is empty or a single leaf. */
function liftIfAlone(source: RefSource, only: Ref): Ref | null {
  if (only.kind === RefKind.Empty || only.kind === RefKind.Leaf) return only;
  if (only.kind === RefKind.Node) return null;
  const opened = source.resolve(only, "collapse");
  return opened.kind === RefKind.Leaf ? opened : null;
}
