/**
 * The state keys a transaction will most likely read, from its body alone:
 * its sender's account and native balance, and its recipient's balance for
 * the common payloads. A hint for prefetching (SparseMerkleTree.prefetch):
 * a missing or extra key changes no result, only how many store reads the
 * execution then makes one by one.
 */
import { keys, NATIVE_ASSET } from "./records.ts";
import type { StateKey } from "../state.ts";
import type { TxBody } from "./tx.ts";

export function readHintsOf(body: TxBody): StateKey[] {
  const out = [keys.account(body.sender), keys.balance(body.sender, NATIVE_ASSET)];
  const p = body.payload;
  switch (p.type) {
    case "transfer":
      out.push(keys.balance(p.to, NATIVE_ASSET));
      break;
    case "transferToken":
      out.push(keys.balance(body.sender, p.tokenId), keys.balance(p.to, p.tokenId));
      break;
    case "mintToken":
      out.push(keys.token(p.tokenId), keys.balance(p.to, p.tokenId));
      break;
  }
  return out;
}
