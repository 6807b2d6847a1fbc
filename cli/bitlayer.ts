#!/usr/bin/env node
/**
 * bitlayer: the command line of a Bitlayer network (docs/cli.md).
 *
 *   bitlayer keys new|show          bitlayer balance [ADDRESS]
 *   bitlayer transfer --to --amount bitlayer mint --ref TEXT | --token SYMBOL --amount N
 *   bitlayer trade ...              bitlayer deposit --amount N
 *   bitlayer withdraw --amount N    bitlayer status TXHASH
 *   bitlayer lanes                  bitlayer validators
 *
 * Reads .devnet/devnet.json by default; --edge, --settlement, --key,
 * --chain-id, --lane (or BITLAYER_* variables) override it. Human output by
 * default, --json for scripts. Exit codes: 0 done, 1 the network or a
 * server failed or refused (its error is printed), 2 bad command line
 * (nothing was sent).
 */
import { parseArgs } from "node:util";
import { BitlayerError } from "../shared/errors.ts";
import type { Command, OptionSpec, Output } from "./command.ts";
import { balance } from "./commands/balance.ts";
import { deposit } from "./commands/deposit.ts";
import { keys } from "./commands/keys.ts";
import { lanes } from "./commands/lanes.ts";
import { mint } from "./commands/mint.ts";
import { status } from "./commands/status.ts";
import { trade } from "./commands/trade.ts";
import { transfer } from "./commands/transfer.ts";
import { validators } from "./commands/validators.ts";
import { withdraw } from "./commands/withdraw.ts";
import { resolveConfig } from "./config.ts";
import { NetworkError, RemoteError, TimeoutError, UsageError } from "./errors.ts";

export const COMMANDS: Command[] = [
  keys,
  balance,
  transfer,
  mint,
  trade,
  deposit,
  withdraw,
  status,
  lanes,
  validators,
];

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  devnet: { type: "string" },
  edge: { type: "string" },
  settlement: { type: "string" },
  key: { type: "string" },
  "chain-id": { type: "string" },
  lane: { type: "string" },
};

const GLOBAL_USAGE = `global flags (or environment):
  --devnet FILE       devnet.json to read (BITLAYER_DEVNET; default .devnet/devnet.json)
  --edge URL          the edge Worker (BITLAYER_EDGE_URL)
  --settlement URLS   settlement validators, comma-separated, tried in turn (BITLAYER_SETTLEMENT_URLS)
  --key K             64-hex secret key, @N (devnet account N) or a key file (BITLAYER_KEY; default @0)
  --chain-id ID       (BITLAYER_CHAIN_ID)    --lane N   (BITLAYER_LANE; default 1)
  --json              one JSON document on stdout (errors as JSON on stderr)
exit codes: 0 done, 1 network or server error, 2 bad command line`;

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: bitlayer <command> [arguments] [flags]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary.slice(c.summary.indexOf(":") + 1).trim()}`).join("\n")}

${GLOBAL_USAGE}
"bitlayer <command> --help" shows a command's arguments.`;
}

type Io = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
};

/** A JSON rendering that keeps bigints exact (as decimal strings) and bytes readable. */
function jsonText(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** How a failure reads, and its exit code: 2 for the command line, 1 for the network and servers. */
export function describeError(error: unknown): { exitCode: 1 | 2; json: object; text: string } {
  if (error instanceof UsageError)
    return {
      exitCode: 2,
      json: { code: "usage", message: error.message, field: error.field },
      text: `bitlayer: ${error.message}`,
    };
  const parseCode = (error as { code?: unknown }).code;
  if (typeof parseCode === "string" && parseCode.startsWith("ERR_PARSE_ARGS"))
    return {
      exitCode: 2,
      json: { code: "usage", message: (error as Error).message },
      text: `bitlayer: ${(error as Error).message}`,
    };
  if (error instanceof RemoteError)
    return {
      exitCode: 1,
      json: {
        code: error.code,
        message: error.message,
        status: error.status,
        field: error.field,
        server: error.body,
      },
      text: `bitlayer: ${error.message}`,
    };
  if (error instanceof NetworkError || error instanceof TimeoutError)
    return {
      exitCode: 1,
      json: { code: error.name, message: error.message },
      text: `bitlayer: ${error.message}`,
    };
  if (error instanceof BitlayerError) {
    const e = error as BitlayerError & { status?: number; code?: string; field?: string; url?: string };
    // The SDK's typed errors: a refusal or no answer from a server is exit 1; a value it could not encode is ours.
    const input = e.name === "InvalidTransactionError" || e.name === "ClientConfigError";
    return {
      exitCode: input ? 2 : 1,
      json: { code: e.code ?? e.name, message: e.shortMessage, status: e.status, field: e.field, url: e.url },
      text: `bitlayer: ${e.shortMessage}${e.status ? ` (${e.status} ${e.code}${e.field ? `, field ${e.field}` : ""})` : ""}${e.url ? ` from ${e.url}` : ""}`,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: 1, json: { code: "error", message }, text: `bitlayer: ${message}` };
}

/**
 * The command is the first positional argument; global flags may come before
 * it (`bitlayer --json balance`), so it is found by parsing them loosely first.
 */
function splitCommand(argv: string[]): { name: string | undefined; rest: string[] } {
  const { tokens } = parseArgs({
    args: argv,
    options: GLOBAL_OPTIONS,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const first = tokens.find((t) => t.kind === "positional");
  if (!first) return { name: undefined, rest: argv };
  return { name: first.value, rest: [...argv.slice(0, first.index), ...argv.slice(first.index + 1)] };
}

/** Runs one command line; returns the exit code. The process entry below is a thin wrapper. */
export async function main(argv: string[], io: Io): Promise<number> {
  const wantsJson = argv.includes("--json");
  try {
    const { name, rest } = splitCommand(argv);
    if (name === undefined || name === "help") {
      const help = rest.includes("--help") || rest.includes("-h") || name === "help";
      (help ? io.stdout : io.stderr)(`${usage()}\n`);
      return help ? 0 : 2;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command)
      throw new UsageError(
        `unknown command "${name}"; the commands are ${COMMANDS.map((c) => c.name).join(", ")} (bitlayer --help).`,
        "command",
      );
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout(`usage: ${command.usage}\n\n${GLOBAL_USAGE}\n`);
      return 0;
    }
    if (positionals.length > command.positionalsMax)
      throw new UsageError(
        `${name}: unexpected argument "${positionals[command.positionalsMax]}".\nusage: ${command.usage}`,
        "arguments",
      );
    const config = resolveConfig(values as Record<string, string>, io.env, io.cwd);
    const output: Output = await command.run({
      config,
      values,
      positionals,
      json: wantsJson,
      progress: (line) => {
        if (!wantsJson) io.stdout(`${line}\n`);
      },
    });
    io.stdout(`${wantsJson ? jsonText(output.json) : output.text}\n`);
    return 0;
  } catch (error) {
    const d = describeError(error);
    io.stderr(`${wantsJson ? jsonText({ error: d.json }) : d.text}\n`);
    return d.exitCode;
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
  });
  process.exitCode = code;
}
