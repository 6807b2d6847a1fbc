/**
 * The checkpoint poster's configuration from the Worker's vars. The poster
 * account (which pays settlement fees for the lane's postCheckpoint
 * transactions) is derived from SEQUENCER_SEED like the sequencer key, so
 * the devnet can prefund it on settlement without sharing a secret.
 * SETTLEMENT_VALIDATORS is the validator set the lane trusts to certify
 * settlement blocks (docs/operations-edge.md): with it, `settled` and
 * `final` are recorded only from a proof the lane verified itself.
 */
import { compareBytes, fromHex, toHex } from "../../../shared/bytes.ts";
import { deriveSeed } from "../../../shared/lane/genesis.ts";
import type { TrustedValidator } from "../../../shared/sdk/verifySettlementCertificate.ts";
import type { Env } from "../env.ts";

/** Vars the poster reads besides Env's (all optional; defaults below). */
export type PosterVars = {
  /** Fee of each postCheckpoint settlement transaction, base units (decimal). */
  SETTLEMENT_TX_FEE?: string;
  /** How often a posted checkpoint's settlement status is read while it is not final. */
  SETTLEMENT_POLL_MS?: string;
  SETTLEMENT_BACKOFF_MS_MIN?: string;
  SETTLEMENT_BACKOFF_MS_MAX?: string;
  /** A posted checkpoint that settlement still does not hold after this long is posted again. */
  SETTLEMENT_REPOST_MS?: string;
  /**
   * The trusted settlement validator set, "publicKeyHex:power,…" (power in
   * the ledger's units: the validator's stake). Empty or unset: settlement's
   * answers are trusted as served (the lane status says `unverified`).
   */
  SETTLEMENT_VALIDATORS?: string;
};

/**
 * How the poster decides `settled` and `final`: `verified` from a checkpoint
 * proof checked against `validators`; `unverified` from the checkpoint JSON
 * one validator serves (SETTLEMENT_VALIDATORS empty); `misconfigured` never
 * (SETTLEMENT_VALIDATORS set but not parseable: fail closed).
 */
export type SettlementVerification =
  | { mode: "verified"; validators: TrustedValidator[] }
  | { mode: "unverified" }
  | { mode: "misconfigured"; error: string };

export type PosterConfig = {
  lane: number;
  chainId: string;
  posterSecretKey: Uint8Array;
  urls: string[];
  feeTx: bigint;
  pollMs: number;
  backoffMsMin: number;
  backoffMsMax: number;
  repostMs: number;
  verification: SettlementVerification;
};

export function posterSeedForLane(rootSeed: Uint8Array, lane: number): Uint8Array {
  return deriveSeed(rootSeed, `poster/lane/${lane}`);
}

export function settlementUrlsOf(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

const positive = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
};

/**
 * The lane status's view of it: `verified` (with how many validators and
 * how much power it trusts), `unverified` (settled/final are settlement's
 * word, not proven), or `misconfigured` (nothing past posted is recorded).
 */
export function settlementVerificationView(v: SettlementVerification) {
  if (v.mode === "verified")
    return {
      mode: v.mode,
      validators: v.validators.length,
      totalPower: String(v.validators.reduce((sum, x) => sum + BigInt(x.power), 0n)),
    };
  if (v.mode === "misconfigured") return { mode: v.mode, error: v.error };
  return { mode: v.mode, note: "SETTLEMENT_VALIDATORS is empty: settled/final are not verified by the lane" };
}

const PARSED = new Map<string, SettlementVerification>();

/**
 * Parses SETTLEMENT_VALIDATORS ("publicKeyHex:power,…", 0x optional) once
 * per distinct value. Keys must be 32 bytes and distinct, powers positive
 * decimal integers; anything else is `misconfigured`, naming the entry.
 */
export function settlementVerificationOf(value: string | undefined): SettlementVerification {
  const text = (value ?? "").trim();
  if (text === "") return { mode: "unverified" };
  const known = PARSED.get(text);
  if (known) return known;
  const parsed = parseValidators(text);
  if (PARSED.size > 64) PARSED.clear();
  PARSED.set(text, parsed);
  return parsed;
}

function parseValidators(text: string): SettlementVerification {
  const validators: TrustedValidator[] = [];
  const seen = new Set<string>();
  const entries = text
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  for (const [i, entry] of entries.entries()) {
    const bad = (why: string): SettlementVerification => ({
      mode: "misconfigured",
      error: `SETTLEMENT_VALIDATORS entry ${i + 1} ("${entry.slice(0, 80)}"): ${why}`,
    });
    const m = entry.match(/^(?:0x)?([0-9a-fA-F]{64}):([1-9][0-9]{0,38})$/);
    if (!m) return bad("expected publicKeyHex:power (64 hex digits, a positive decimal power)");
    const publicKey = fromHex(m[1]!.toLowerCase());
    const key = toHex(publicKey);
    if (seen.has(key)) return bad("this key is listed twice");
    seen.add(key);
    validators.push({ publicKey, power: BigInt(m[2]!) });
  }
  if (validators.length === 0)
    return { mode: "misconfigured", error: "SETTLEMENT_VALIDATORS lists no validator" };
  validators.sort((a, b) => compareBytes(a.publicKey as Uint8Array, b.publicKey as Uint8Array));
  return { mode: "verified", validators };
}

/** Read at every alarm, so a changed var takes effect without evicting the object. */
export function posterConfig(env: Env & PosterVars, lane: number): PosterConfig {
  return {
    lane,
    chainId: env.CHAIN_ID,
    posterSecretKey: posterSeedForLane(fromHex(env.SEQUENCER_SEED), lane),
    urls: settlementUrlsOf(env.SETTLEMENT_URLS),
    feeTx: BigInt(env.SETTLEMENT_TX_FEE || "10"),
    pollMs: positive(env.SETTLEMENT_POLL_MS, 1000),
    backoffMsMin: positive(env.SETTLEMENT_BACKOFF_MS_MIN, 500),
    backoffMsMax: positive(env.SETTLEMENT_BACKOFF_MS_MAX, 60_000),
    repostMs: positive(env.SETTLEMENT_REPOST_MS, 15_000),
    verification: settlementVerificationOf(env.SETTLEMENT_VALIDATORS),
  };
}
