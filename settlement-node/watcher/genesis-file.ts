/**
 * Lane genesis files: the watcher replays each lane from the genesis its
 * Sequencer wrote (LaneExecutor.writeGenesis), so it needs the same Genesis
 * value, not only its root. One JSON file per lane under the data dir,
 * `genesis/lane-<id>.json`, with amounts as decimal strings and bytes as
 * 0x-hex (the settlement API's conventions). The devnet writes it from
 * wrangler.toml's vars (scripts/devnet/plan.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { fromHex, toHex } from "../../shared/bytes.ts";
import type { Genesis } from "../../shared/stf/genesis.ts";
import { WatcherConfigError } from "./errors.ts";

const decimal = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, "must be a decimal integer string")
  .transform((v) => BigInt(v));
const bytes32 = z
  .string()
  .regex(/^0x[0-9a-f]{64}$/, "must be 32 bytes of 0x-prefixed lowercase hex")
  .transform((v) => fromHex(v.slice(2)));

const genesisFileSchema = z.strictObject({
  chainId: z.string().min(1),
  lane: z.number().int().min(1).max(0xffff_ffff),
  params: z.strictObject({
    gasLimitPerBlock: decimal,
    gasTargetPerBlock: decimal,
    baseFeeMinPerGas: decimal,
    baseFeeChangeDenominator: z.number().int().min(0),
    feeShareSequencerBps: z.number().int().min(0),
    feeShareValidatorsBps: z.number().int().min(0),
    validatorsAccount: bytes32,
    treasuryAccount: bytes32,
  }),
  baseFeePerGas: decimal,
  timestampMs: decimal,
  allocations: z.array(z.strictObject({ owner: bytes32, amount: decimal })),
});

export function laneGenesisFile(dataDir: string, lane: number): string {
  return path.join(dataDir, "genesis", `lane-${lane}.json`);
}

/** The file's JSON for `genesis` (what parseLaneGenesis reads back). */
export function laneGenesisJson(genesis: Genesis): string {
  const hex = (b: Uint8Array) => `0x${toHex(b)}`;
  const p = genesis.params;
  const json = {
    chainId: genesis.chainId,
    lane: genesis.lane,
    params: {
      gasLimitPerBlock: String(p.gasLimitPerBlock),
      gasTargetPerBlock: String(p.gasTargetPerBlock),
      baseFeeMinPerGas: String(p.baseFeeMinPerGas),
      baseFeeChangeDenominator: p.baseFeeChangeDenominator,
      feeShareSequencerBps: p.feeShareSequencerBps,
      feeShareValidatorsBps: p.feeShareValidatorsBps,
      validatorsAccount: hex(p.validatorsAccount),
      treasuryAccount: hex(p.treasuryAccount),
    },
    baseFeePerGas: String(genesis.baseFeePerGas),
    timestampMs: String(genesis.timestampMs),
    allocations: genesis.allocations.map((a) => ({ owner: hex(a.owner), amount: String(a.amount) })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** Parses a genesis file's text; the first bad field is named in the WatcherConfigError. */
export function parseLaneGenesis(text: string, file: string): Genesis {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WatcherConfigError(file, `is not JSON: ${(e as Error).message}`);
  }
  const parsed = genesisFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new WatcherConfigError(`${file}: ${issue.path.map(String).join(".") || "(root)"}`, issue.message);
  }
  return parsed.data;
}

export function writeLaneGenesis(dataDir: string, genesis: Genesis): string {
  const file = laneGenesisFile(dataDir, genesis.lane);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, laneGenesisJson(genesis));
  return file;
}

/** The genesis of `lane` from the data dir; the lane id inside must match the file's. */
export function readLaneGenesis(dataDir: string, lane: number): Genesis {
  const file = laneGenesisFile(dataDir, lane);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new WatcherConfigError(
      file,
      `cannot be read: the watcher replays lane ${lane} from this genesis (the devnet writes it; see docs/devnet.md).`,
    );
  }
  const genesis = parseLaneGenesis(text, file);
  if (genesis.lane !== lane)
    throw new WatcherConfigError(`${file}: lane`, `is ${genesis.lane}, but the file is for lane ${lane}.`);
  return genesis;
}
