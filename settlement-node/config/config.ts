/**
 * A validator's configuration file (JSON, written by `bitlayer-settlement
 * init`): where its data, genesis and key live, its ports, its peers with
 * their public keys, the database and consensus timing. Validated with zod;
 * the first bad field is named in the error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { fromHex } from "../../shared/bytes.ts";
import { generateKeyPair } from "../../shared/crypto/index.ts";
import { BitlayerError } from "../../shared/errors.ts";
import { type Genesis, parseGenesis } from "../ledger/index.ts";

const hex32 = z.string().regex(/^[0-9a-f]{64}$/, "must be 32 bytes of lowercase hex");
const port = z.number().int().min(0).max(65535);

export const nodeConfigSchema = z.strictObject({
  moniker: z.string().min(1).max(64),
  /** Paths are relative to the config file's directory unless absolute. */
  dataDir: z.string().min(1),
  genesisFile: z.string().min(1),
  keyFile: z.string().min(1),
  p2p: z.strictObject({ host: z.string().default("127.0.0.1"), port }),
  api: z.strictObject({
    host: z.string().default("127.0.0.1"),
    port,
    /** Requests per second per client (token bucket, burst twice that); 0 turns the limit off. */
    rateLimitPerSecond: z.number().int().min(0).default(50),
  }),
  peers: z.array(z.strictObject({ moniker: z.string(), publicKey: hex32, host: z.string(), port })),
  database: z
    .discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("pglite") }),
      z.strictObject({
        kind: z.literal("postgres"),
        /** The environment variable holding the URL, so no password lands in the file. */
        urlEnv: z.string().default("DATABASE_URL"),
        schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/),
      }),
      z.strictObject({ kind: z.literal("none") }),
    ])
    .default({ kind: "pglite" }),
  consensus: z
    .strictObject({
      timeoutMsPropose: z.number().int().min(1).default(300),
      timeoutMsProposeDelta: z.number().int().min(0).default(100),
      timeoutMsPrevote: z.number().int().min(1).default(200),
      timeoutMsPrevoteDelta: z.number().int().min(0).default(100),
      timeoutMsPrecommit: z.number().int().min(1).default(200),
      timeoutMsPrecommitDelta: z.number().int().min(0).default(100),
      /** Minimum time from the start of one height to the next: empty blocks come at this pace. */
      blockIntervalMs: z.number().int().min(0).default(1000),
      /** How often our own messages of the height and our status are re-sent to peers. */
      gossipIntervalMs: z.number().int().min(10).default(200),
    })
    .default({} as never),
  block: z
    .strictObject({
      txsMax: z.number().int().min(0).max(10_000).default(2000),
      bytesMax: z
        .number()
        .int()
        .min(1024)
        .max(1 << 20)
        .default(900_000),
    })
    .default({} as never),
  mempool: z
    .strictObject({
      txsMax: z.number().int().min(1).default(10_000),
      bytesMax: z
        .number()
        .int()
        .min(1024)
        .default(64 * 1024 * 1024),
    })
    .default({} as never),
  logLevel: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
});
export type NodeConfig = z.output<typeof nodeConfigSchema>;
export type NodeConfigJson = z.input<typeof nodeConfigSchema>;

export const keyFileSchema = z.strictObject({ publicKey: hex32, secretKey: hex32 });

export type ConfigErrorType = ConfigError;
export class ConfigError extends BitlayerError {
  override name = "ConfigError" as const;
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field || "(root)"} ${problem}`, {
      details: "Fix the file, or regenerate it with `bitlayer-settlement init`.",
      docsPath: "operations-settlement.md#config-fields",
    });
  }
}

export type LoadedConfig = {
  file: string;
  config: NodeConfig;
  /** Absolute paths. */
  dataDir: string;
  genesis: Genesis;
  keyPair: { publicKey: Uint8Array; secretKey: Uint8Array };
};

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError(file, "", `cannot be read as JSON: ${(e as Error).message}`);
  }
}

export function loadConfig(file: string): LoadedConfig {
  const abs = path.resolve(file);
  const parsed = nodeConfigSchema.safeParse(readJson(abs));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(abs, issue.path.map(String).join("."), issue.message);
  }
  const config = parsed.data;
  const base = path.dirname(abs);
  const genesisFile = path.resolve(base, config.genesisFile);
  const keyFile = path.resolve(base, config.keyFile);
  const genesis = parseGenesis(readJson(genesisFile));
  const key = keyFileSchema.safeParse(readJson(keyFile));
  if (!key.success)
    throw new ConfigError(keyFile, key.error.issues[0]!.path.join("."), key.error.issues[0]!.message);
  const keyPair = generateKeyPair(fromHex(key.data.secretKey));
  if (Buffer.compare(Buffer.from(keyPair.publicKey), Buffer.from(fromHex(key.data.publicKey))) !== 0)
    throw new ConfigError(keyFile, "publicKey", "does not match the secret key");
  return { file: abs, config, dataDir: path.resolve(base, config.dataDir), genesis, keyPair };
}
