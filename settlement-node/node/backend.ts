/** The running validator as the settlement API's SettlementBackend (settlement-node/api/backend.ts). */
import { equalBytes } from "../../shared/bytes.ts";
import {
  type BlockView,
  MempoolRefusal,
  type NodeStatus,
  type ProvableState,
  type SettlementBackend,
  type SubmitTxResult,
} from "../api/backend.ts";
import { LedgerStatus } from "../ledger/index.ts";
import type { MempoolRejection } from "../mempool/mempool.ts";
import { decodeBlock, decodeCertificate } from "./block.ts";
import type { SettlementNode } from "./node.ts";

const ZERO_HASH = new Uint8Array(32);

const REFUSAL_CODES: Record<MempoolRejection, number> = {
  malformed: MempoolRefusal.Malformed,
  oversize: MempoolRefusal.Malformed,
  duplicate: MempoolRefusal.Duplicate,
  full: MempoolRefusal.Full,
  "nonce-used": MempoolRefusal.NonceReplayed,
  "nonce-gap": LedgerStatus.NonceMismatch,
  "bad-signature": LedgerStatus.SignatureInvalid,
  "fee-too-low": LedgerStatus.FeeBelowMinimum,
};

export function nodeBackend(node: SettlementNode): SettlementBackend {
  return {
    status(): NodeStatus {
      const height = node.height;
      return {
        chainId: node.chain.chainId,
        height,
        lastBlockHash: node.chain.blockHash(height) ?? ZERO_HASH,
        address: node.address,
        catchingUp: node.catchingUp,
        peers: node.network.peersReady().length,
      };
    },
    async submitTx(txBytes: Uint8Array): Promise<SubmitTxResult> {
      const r = await node.submitTx(txBytes);
      if (r.accepted) return { hash: r.hash, accepted: true };
      return { hash: r.hash ?? ZERO_HASH, accepted: false, code: REFUSAL_CODES[r.reason], message: r.reason };
    },
    latestHeight: () => node.height,
    block(height: bigint): BlockView | undefined {
      // A decided block is stored while the ledger applies it: it is served once applied.
      if (height > node.height) return undefined;
      const stored = node.blocks.get(height);
      if (!stored) return undefined;
      const block = decodeBlock(stored.block);
      return {
        height,
        hash: node.chain.blockHash(height)!,
        encoded: stored.block,
        lastBlockHash: height === 1n ? ZERO_HASH : node.chain.blockHash(height - 1n)!,
        timeMs: block.timeMs,
        proposer: block.proposer,
        appHash: node.chain.appHashAt(height)!,
        txs: block.txs,
        receipts: node.receiptsAt(height),
        certificate: decodeCertificate(stored.certificate),
      };
    },
    ledger: () => ({ height: node.height, state: node.chain.state }),
    waitForTx: (hash, timeoutMs, signal) => node.recentTxs.wait(hash, timeoutMs, signal),
    txPending: (hash) => node.mempool.has(hash),
    provableState(): ProvableState | undefined {
      // The newest stored block at or below the ledger's height proves its parent state.
      for (let next = node.height; next >= 1n && next >= node.height - 1n; next--) {
        const stored = node.blocks.get(next);
        if (!stored) continue;
        const at = node.chain.stateAt(next - 1n);
        if (!at) return undefined;
        const block = decodeBlock(stored.block);
        if (!equalBytes(block.appHashPrev, at.root))
          throw new Error(
            `BUG: block ${next}'s appHashPrev differs from this node's state root after ${next - 1n}`,
          );
        return {
          height: next - 1n,
          block: stored.block,
          certificate: decodeCertificate(stored.certificate),
          ...at,
        };
      }
      return undefined;
    },
  };
}
