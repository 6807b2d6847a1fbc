/**
 * Where the CLI sends requests and with which key. Each value comes from the
 * first of: a flag, an environment variable, the devnet's devnet.json
 * (`.devnet/devnet.json` under the working directory unless --devnet or
 * BITLAYER_DEVNET says otherwise). docs/cli.md has the table.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fromHex } from "../shared/bytes.ts";
import { type Account, secretKeyToAccount } from "../shared/sdk/index.ts";
import { UsageError } from "./errors.ts";

export type DevnetFile = {
  edgeUrl: string;
  validatorUrls: string[];
  chainId: string;
  lane?: number;
  accounts: { address: string; publicKey: string; secretKey: string }[];
};

export type GlobalFlags = {
  devnet?: string;
  edge?: string;
  settlement?: string;
  key?: string;
  "chain-id"?: string;
  lane?: string;
};

export type Env = Record<string, string | undefined>;

/** The resolved settings; each getter throws a UsageError naming the flag when the value is missing. */
export type Config = {
  devnet: DevnetFile | undefined;
  devnetPath: string;
  edgeUrl(): string;
  settlementUrls(): string[];
  chainId(): string;
  lane(): number;
  /** The signing account of --key (default: devnet account 0). */
  account(): Account;
  /** The account of a key given in another flag (a trade's --with): hex secret, @N or a key file. */
  accountOf(text: string, flag: string): Account;
  /** `@N` → devnet account N; a 64-hex public key as is. */
  resolveLaneAddress(text: string, flag: string): Uint8Array;
};

const HEX32 = /^(0x)?[0-9a-fA-F]{64}$/;

/** Parses a URL flag: http(s) only, no trailing slash, so paths can be appended. */
export function parseUrl(text: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag}: "${text}" is not a URL (expected e.g. http://127.0.0.1:26750).`, flag);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`${flag}: only http and https URLs are supported, got ${url.protocol}`, flag);
  return url.toString().replace(/\/+$/, "");
}

export function parseHex32(text: string, flag: string, what: string): Uint8Array {
  if (!HEX32.test(text)) throw new UsageError(`${flag}: ${what} must be 32 bytes as 64 hex digits.`, flag);
  return fromHex(text.startsWith("0x") ? text.slice(2) : text);
}

function readDevnet(file: string, explicit: boolean): DevnetFile | undefined {
  if (!fs.existsSync(file)) {
    if (explicit) throw new UsageError(`--devnet: ${file} does not exist.`, "--devnet");
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON (${(error as Error).message}).`, "--devnet");
  }
  const d = parsed as Partial<DevnetFile>;
  if (typeof d.edgeUrl !== "string" || !Array.isArray(d.validatorUrls) || typeof d.chainId !== "string")
    throw new UsageError(`${file} lacks edgeUrl, validatorUrls or chainId: is it a devnet.json?`, "--devnet");
  return { accounts: [], ...d } as DevnetFile;
}

export function resolveConfig(flags: GlobalFlags, env: Env, cwd: string): Config {
  const devnetFlag = flags.devnet ?? env.BITLAYER_DEVNET;
  const devnetPath = path.resolve(cwd, devnetFlag ?? ".devnet/devnet.json");
  const devnet = readDevnet(devnetPath, devnetFlag !== undefined);
  const noDevnet = `no ${path.relative(cwd, devnetPath) || devnetPath} (start the devnet with npm start)`;

  const devnetAccount = (text: string, flag: string): DevnetFile["accounts"][number] => {
    const n = Number(text.slice(1));
    if (!/^@[0-9]+$/.test(text))
      throw new UsageError(`${flag}: "${text}" is not @N (a devnet account).`, flag);
    if (!devnet)
      throw new UsageError(`${flag}: ${text} needs the devnet's accounts, but there is ${noDevnet}.`, flag);
    const account = devnet.accounts[n];
    if (!account)
      throw new UsageError(
        `${flag}: the devnet has accounts @0..@${devnet.accounts.length - 1}, not ${text}.`,
        flag,
      );
    return account;
  };

  return {
    devnet,
    devnetPath,
    edgeUrl() {
      const [text, flag] = flags.edge
        ? [flags.edge, "--edge"]
        : env.BITLAYER_EDGE_URL
          ? [env.BITLAYER_EDGE_URL, "BITLAYER_EDGE_URL"]
          : [devnet?.edgeUrl, "--edge"];
      if (!text)
        throw new UsageError(`No edge URL: pass --edge or set BITLAYER_EDGE_URL; ${noDevnet}.`, "--edge");
      return parseUrl(text, flag);
    },
    settlementUrls() {
      const [text, flag] = flags.settlement
        ? [flags.settlement, "--settlement"]
        : env.BITLAYER_SETTLEMENT_URLS
          ? [env.BITLAYER_SETTLEMENT_URLS, "BITLAYER_SETTLEMENT_URLS"]
          : [devnet?.validatorUrls.join(","), "--settlement"];
      if (!text)
        throw new UsageError(
          `No settlement URL: pass --settlement (comma-separated) or set BITLAYER_SETTLEMENT_URLS; ${noDevnet}.`,
          "--settlement",
        );
      return text
        .split(",")
        .filter((u) => u !== "")
        .map((u) => parseUrl(u, flag));
    },
    chainId() {
      const id = flags["chain-id"] ?? env.BITLAYER_CHAIN_ID ?? devnet?.chainId;
      if (!id)
        throw new UsageError(
          `No chain id: pass --chain-id or set BITLAYER_CHAIN_ID; ${noDevnet}.`,
          "--chain-id",
        );
      return id;
    },
    lane() {
      const [text, flag] = flags.lane
        ? [flags.lane, "--lane"]
        : env.BITLAYER_LANE
          ? [env.BITLAYER_LANE, "BITLAYER_LANE"]
          : [String(devnet?.lane ?? 1), "--lane"];
      if (!/^[1-9][0-9]{0,9}$/.test(text) || Number(text) > 0xffff_ffff)
        throw new UsageError(
          `${flag}: the lane is an integer from 1 to 4294967295, got "${text}".`,
          "--lane",
        );
      return Number(text);
    },
    account() {
      const [text, flag] = flags.key
        ? [flags.key, "--key"]
        : env.BITLAYER_KEY
          ? [env.BITLAYER_KEY, "BITLAYER_KEY"]
          : [devnet ? "@0" : undefined, "--key"];
      if (!text)
        throw new UsageError(
          `No key: pass --key (64-hex secret key, @N for a devnet account, or a key file from "bitlayer keys new --out") or set BITLAYER_KEY; ${noDevnet}.`,
          "--key",
        );
      return secretKeyToAccount({ secretKey: parseSecretKey(text, flag, devnetAccount, cwd) });
    },
    accountOf(text, flag) {
      return secretKeyToAccount({ secretKey: parseSecretKey(text, flag, devnetAccount, cwd) });
    },
    resolveLaneAddress(text, flag) {
      if (text.startsWith("@")) return fromHex(devnetAccount(text, flag).publicKey);
      return parseHex32(text, flag, "a lane address (the account's public key)");
    },
  };
}

/** A secret key from hex, a devnet account (@N) or a key file written by `keys new --out`. */
function parseSecretKey(
  text: string,
  flag: string,
  devnetAccount: (text: string, flag: string) => DevnetFile["accounts"][number],
  cwd: string,
): Uint8Array {
  if (text.startsWith("@")) return fromHex(devnetAccount(text, flag).secretKey);
  if (HEX32.test(text)) return parseHex32(text, flag, "the secret key");
  const file = path.resolve(cwd, text);
  if (!fs.existsSync(file))
    throw new UsageError(`${flag}: not a 64-hex secret key, @N, or an existing key file: "${text}".`, flag);
  let secretKey: unknown;
  try {
    secretKey = (JSON.parse(fs.readFileSync(file, "utf8")) as { secretKey?: unknown }).secretKey;
  } catch {
    throw new UsageError(`${flag}: ${file} is not a JSON key file.`, flag);
  }
  if (typeof secretKey !== "string" || !HEX32.test(secretKey))
    throw new UsageError(`${flag}: ${file} has no "secretKey" of 64 hex digits.`, flag);
  return parseHex32(secretKey, flag, "the secret key");
}
