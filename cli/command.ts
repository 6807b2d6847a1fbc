/**
 * What a command is: its usage text, its own flags (parsed with the global
 * ones by node:util parseArgs, strictly) and a run function that returns
 * both renderings of its result: JSON for `--json`, text for people.
 */
import type { Config } from "./config.ts";

export type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean };

export type Output = {
  /** Printed with --json: plain JSON values (bigints as decimal strings). */
  json: unknown;
  /** Printed otherwise. */
  text: string;
};

export type CommandContext = {
  config: Config;
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  json: boolean;
  /** Progress lines for long flows (withdraw); silent with --json so stdout stays one JSON document. */
  progress(line: string): void;
};

export type Command = {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Arguments and flags, shown by `bitlayer <command> --help` and on a usage error. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Subcommands or positional arguments it takes at most. */
  positionalsMax: number;
  run(ctx: CommandContext): Promise<Output>;
};
