import { fromHex, toHex } from "../bytes.ts";
import { verifyMany } from "../crypto/verifier.ts";
import { voteSignBytes } from "../../settlement-node/consensus/messages.ts";
import { makeValidatorSet } from "../../settlement-node/consensus/validators.ts";

type Hex = string | Uint8Array;

/** A commit certificate as settlement's API serves it (GET /v1/blocks/:height `certificate`) or decoded. */
export type SettlementCertificate = {
  height: string | bigint | number;
  round: number;
  /** The block hash the precommits are for (the consensus value id). */
  valueId: Hex;
  precommits: readonly {
    validatorIndex: number;
    signature: Hex;
    /** Vote extension signed with the precommit; empty (the default) on today's network. */
    extension?: Hex;
  }[];
};

/** A validator of the set you trust for the certificate's height (GET /v1/validators, or your own record). */
export type TrustedValidator = { publicKey: Hex; power: string | bigint };

export type VerifySettlementCertificateParameters = {
  chainId: string;
  certificate: SettlementCertificate;
  /** The validator set of the certificate's height; entries with power 0 are ignored. */
  validators: readonly TrustedValidator[];
  /** When given, the certificate must be for this block hash (e.g. the block you were served). */
  blockHash?: Hex;
};

export type VerifySettlementCertificateReturnType = {
  /** More than 2/3 of the set's power signed a precommit for valueId at (height, round). */
  valid: boolean;
  signedPower: bigint;
  totalPower: bigint;
  /** Public keys (hex) whose precommit signatures verified, in validator-index order. */
  signers: string[];
  /** Indices into `certificate.precommits` whose signature did not verify (or named no validator). */
  rejected: number[];
  /** Why `valid` is false; undefined when valid. */
  reason?: string;
};

const bytesOf = (v: Hex): Uint8Array =>
  typeof v === "string" ? fromHex(v.startsWith("0x") ? v.slice(2) : v) : v;

/**
 * The light client: checks a settlement commit certificate without trusting
 * any node. Each precommit must verify (the one Ed25519 policy) over the
 * precommit sign bytes for (chain id, height, round, valueId, validator
 * index, extension) — the exact bytes validators sign — under the key at
 * that index of the validator set sorted by public key, as consensus
 * indexes it; distinct signers must hold more than 2/3 of the total power.
 * Never throws on bad input: a malformed certificate is `valid: false` with a reason.
 *
 * @example
 * const block = await (await fetch(`${url}/v1/blocks/42`)).json();
 * const { valid, signedPower, totalPower } = await verifySettlementCertificate({
 *   chainId: "bitlayer-devnet",
 *   certificate: block.certificate,
 *   validators: trustedSet, // [{ publicKey, power }]
 *   blockHash: block.hash,
 * });
 */
export async function verifySettlementCertificate(
  p: VerifySettlementCertificateParameters,
): Promise<VerifySettlementCertificateReturnType> {
  const fail = (reason: string, extra: Partial<VerifySettlementCertificateReturnType> = {}) => ({
    valid: false,
    signedPower: 0n,
    totalPower: 0n,
    signers: [],
    rejected: [],
    reason,
    ...extra,
  });
  let set: ReturnType<typeof makeValidatorSet>;
  let valueId: Uint8Array;
  let height: number;
  try {
    set = makeValidatorSet(
      p.validators
        .map((v) => ({ publicKey: bytesOf(v.publicKey), power: BigInt(v.power) }))
        .filter((v) => v.power > 0n),
    );
    valueId = bytesOf(p.certificate.valueId);
    height = Number(BigInt(p.certificate.height));
    if (valueId.length !== 32) return fail("valueId is not 32 bytes");
    if (!Number.isSafeInteger(height) || height < 1) return fail("height out of range");
    if (!Number.isInteger(p.certificate.round) || p.certificate.round < 0) return fail("round out of range");
    if (p.blockHash !== undefined && toHex(bytesOf(p.blockHash)) !== toHex(valueId))
      return fail("the certificate is for another block");
  } catch (error) {
    return fail(`malformed input: ${error instanceof Error ? error.message : String(error)}`);
  }
  const items: { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }[] = [];
  const itemOf: number[] = [];
  const rejected: number[] = [];
  p.certificate.precommits.forEach((pc, i) => {
    const validator = set.validators[pc.validatorIndex];
    if (!Number.isInteger(pc.validatorIndex) || !validator) {
      rejected.push(i);
      return;
    }
    try {
      const message = voteSignBytes(p.chainId, {
        type: "precommit",
        height,
        round: p.certificate.round,
        valueId,
        validatorIndex: pc.validatorIndex,
        extension: pc.extension === undefined ? new Uint8Array(0) : bytesOf(pc.extension),
      });
      items.push({ publicKey: validator.publicKey, message, signature: bytesOf(pc.signature) });
      itemOf.push(i);
    } catch {
      rejected.push(i);
    }
  });
  const ok = await verifyMany(items);
  const signed = new Set<number>();
  ok.forEach((good, k) => {
    const i = itemOf[k]!;
    if (good) signed.add(p.certificate.precommits[i]!.validatorIndex);
    else rejected.push(i);
  });
  const indices = [...signed].sort((a, b) => a - b);
  const signedPower = indices.reduce((sum, i) => sum + set.validators[i]!.power, 0n);
  const valid = signedPower * 3n > set.totalPower * 2n;
  return {
    valid,
    signedPower,
    totalPower: set.totalPower,
    signers: indices.map((i) => toHex(set.validators[i]!.publicKey)),
    rejected: rejected.sort((a, b) => a - b),
    ...(valid ? {} : { reason: `signed power ${signedPower} of ${set.totalPower} is not more than 2/3` }),
  };
}
