/**
 * The settlement node's (and Node tools') native SHA-256: node:crypto's
 * one-shot hash, installed process-wide into shared/hash.ts. Node only;
 * install at startup with installNodeSha256().
 */
import * as nodeCrypto from "node:crypto";
import { nodeCryptoSha256Backend, type Sha256Backend, setSha256Backend } from "../../shared/hash.ts";

export const nodeSha256Backend: Sha256Backend = nodeCryptoSha256Backend(nodeCrypto);

export function installNodeSha256(): void {
  setSha256Backend(nodeSha256Backend);
}
