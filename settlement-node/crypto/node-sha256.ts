/**
 * A native SHA-256 for Node: node:crypto's one-shot hash, installed
 * process-wide into shared/hash.ts with installNodeSha256(). Node only.
 * Not installed by the node today: on the ledger's small inputs it measured
 * no faster than the default (shared/hash.ts); kept, tested, for larger inputs.
 */
import * as nodeCrypto from "node:crypto";
import { nodeCryptoSha256Backend, type Sha256Backend, setSha256Backend } from "../../shared/hash.ts";

export const nodeSha256Backend: Sha256Backend = nodeCryptoSha256Backend(nodeCrypto);

export function installNodeSha256(): void {
  setSha256Backend(nodeSha256Backend);
}
