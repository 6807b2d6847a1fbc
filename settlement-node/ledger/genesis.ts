/**
 * The settlement genesis file: chain id, genesis time, validators with their
 * keys and stakes, prefunded accounts and the governance parameters. JSON
 * cannot hold bigints, so amounts are decimal strings and keys/addresses are
 * lowercase hex. parseGenesis validates everything and names the first bad
 * field; genesisWrites turns a valid genesis into the initial state.
 */
import { z } from "zod";
import { compareBytes, fromHex, toHex, utf8 } from "../../shared/bytes.ts";
import { MAX_CHAIN_ID_BYTES } from "../../shared/domain.ts";
import type { StateWrite } from "../../shared/state.ts";
import { Books } from "./books.ts";
import { GenesisError } from "./errors.ts";
import { ACCOUNT_ADDRESS_BYTES, PUBLIC_KEY_BYTES, U64_MAX, U128_MAX } from "./limits.ts";
import { type LedgerParams, paramsCodec, validateParams } from "./params.ts";
import { ledgerKeys, registryCodec, type SetMember } from "./records.ts";
import { computeValidatorSet } from "./validators.ts";

const decimal = (max: bigint) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]*)$/, "must be a decimal integer string without leading zeros")
    .transform((s) => BigInt(s))
    .refine((v) => v <= max, `must be at most ${max}`);
const hex = (bytes: number) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-f]{${2 * bytes}}$`), `must be ${bytes} bytes of lowercase hex`)
    .transform((s) => fromHex(s));
const int = (max: number) => z.number().int().min(0).max(max);

const u64 = decimal(U64_MAX);
const u128 = decimal(U128_MAX);

export const genesisParamsSchema = z.strictObject({
  txFeeMin: u128,
  feeShareValidatorsBps: int(0xffff),
  treasury: hex(ACCOUNT_ADDRESS_BYTES),
  rewardPerBlockInitial: u128,
  rewardHalvingIntervalBlocks: u64,
  bondMin: u128,
  validatorsMax: int(0xffff),
  unbondingPeriodBlocks: u64,
  slashFractionDoubleSignBps: int(0xffff),
  evidenceRewardBps: int(0xffff),
  evidenceAgeBlocksMax: u64,
  signedBlocksWindow: int(0xffff_ffff),
  missedBlocksMax: int(0xffff_ffff),
  jailDurationBlocks: u64,
  maintenanceBlocksMax: u64,
  laneBondMin: u128,
  challengeWindowBlocksMin: u64,
  challengeWindowBlocksMax: u64,
  batchDataBytesMax: int(0xffff_ffff),
}) satisfies z.ZodType<LedgerParams, unknown>;

export const genesisSchema = z.strictObject({
  chainId: z
    .string()
    .min(1)
    .refine((s) => utf8(s).length <= MAX_CHAIN_ID_BYTES, `must be at most ${MAX_CHAIN_ID_BYTES} UTF-8 bytes`),
  genesisTimeMs: u64,
  validators: z
    .array(z.strictObject({ publicKey: hex(PUBLIC_KEY_BYTES), stake: u128 }))
    .min(1, "needs at least one validator"),
  accounts: z.array(z.strictObject({ address: hex(ACCOUNT_ADDRESS_BYTES), balance: u128 })),
  params: genesisParamsSchema,
});
export type Genesis = z.output<typeof genesisSchema>;
/** The genesis file as JSON (what parseGenesis accepts). */
export type GenesisJson = z.input<typeof genesisSchema>;

/** Validates a parsed JSON genesis file; throws GenesisError naming the first bad field. */
export function parseGenesis(json: unknown): Genesis {
  const parsed = genesisSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new GenesisError(issue.path.map(String).join("."), issue.message);
  }
  const g = parsed.data;
  const problem = validateParams(g.params);
  if (problem) throw new GenesisError(`params.${problem.field}`, problem.problem);
  if (g.validators.length > g.params.validatorsMax)
    throw new GenesisError("validators", `has ${g.validators.length} entries, above params.validatorsMax`);
  const seenKeys = new Set<string>();
  g.validators.forEach((v, i) => {
    if (seenKeys.has(toHex(v.publicKey)))
      throw new GenesisError(`validators.${i}.publicKey`, "is a duplicate");
    seenKeys.add(toHex(v.publicKey));
    if (v.stake < g.params.bondMin)
      throw new GenesisError(`validators.${i}.stake`, "is below params.bondMin");
  });
  const seenAccounts = new Set<string>();
  g.accounts.forEach((a, i) => {
    if (seenAccounts.has(toHex(a.address))) throw new GenesisError(`accounts.${i}.address`, "is a duplicate");
    seenAccounts.add(toHex(a.address));
  });
  let supply = 0n;
  for (const v of g.validators) supply += v.stake;
  for (const a of g.accounts) supply += a.balance;
  if (supply > U128_MAX) throw new GenesisError("accounts", "total supply exceeds u128");
  return g;
}

export type GenesisState = {
  writes: StateWrite[];
  /** The set that votes on height 1, sorted by public key. */
  validators: SetMember[];
  supply: bigint;
};

/** The initial state of a validated genesis. */
export function genesisWrites(g: Genesis): GenesisState {
  const books = new Books({ get: () => undefined });
  books.write(paramsCodec, ledgerKeys.params(), g.params);
  let supply = 0n;
  for (const a of g.accounts) {
    books.setAccount(a.address, { nonce: 0n, balance: a.balance });
    supply += a.balance;
  }
  const keys: Uint8Array[] = [];
  for (const v of g.validators) {
    books.setValidator({
      publicKey: v.publicKey,
      stake: v.stake,
      jailed: false,
      jailedUntilHeight: 0n,
      tombstoned: false,
      maintenanceFromHeight: 0n,
      maintenanceToHeight: 0n,
      rewardsTotal: 0n,
      slashedTotal: 0n,
    });
    keys.push(v.publicKey);
    supply += v.stake;
  }
  books.write(registryCodec, ledgerKeys.registry(), { publicKeys: keys.sort(compareBytes) });
  const set = computeValidatorSet(books);
  books.setValidatorSet({ current: set, previous: set });
  books.setChain({
    chainId: g.chainId,
    height: 0n,
    timeMs: g.genesisTimeMs,
    supply,
    mintedTotal: 0n,
    burnedTotal: 0n,
    laneCount: 0,
  });
  return { writes: books.state.writes(), validators: set, supply };
}
