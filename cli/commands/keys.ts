/**
 * `bitlayer keys new [--out FILE]` makes a fresh Ed25519 key;
 * `bitlayer keys show` prints the public key and settlement address of --key.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { toHex } from "../../shared/bytes.ts";
import { generateSecretKey, secretKeyToAccount } from "../../shared/sdk/index.ts";
import { str, table } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";

export const keys: Command = {
  name: "keys",
  summary:
    "keys new [--out FILE] | keys show [--key K]: make a key, or show an account's public key and address",
  usage: `bitlayer keys new [--out FILE]   a new secret key (written to FILE with mode 0600, never overwritten)
bitlayer keys show [--key K]     the public key (lane address) and settlement address of K`,
  options: { out: { type: "string" } },
  positionalsMax: 1,
  async run({ config, values, positionals }) {
    const [sub] = positionals;
    if (sub === "new") {
      const secretKey = generateSecretKey();
      const account = secretKeyToAccount({ secretKey });
      const record = {
        secretKey: toHex(secretKey),
        publicKey: account.publicKeyHex,
        address: account.address,
      };
      const out = str(values, "out");
      if (out !== undefined) {
        const file = path.resolve(out);
        if (fs.existsSync(file))
          throw new UsageError(`--out: ${file} exists; a key file is never overwritten.`, "--out");
        fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: "wx" });
        return {
          json: { publicKey: record.publicKey, address: record.address, file },
          text: `${table([
            ["public key", record.publicKey],
            ["address", record.address],
            ["written to", file],
          ])}\nUse it with --key ${out}`,
        };
      }
      return {
        json: record,
        text: `${table([
          ["secret key", record.secretKey],
          ["public key", record.publicKey],
          ["address", record.address],
        ])}\nKeep the secret key private; pass it with --key or BITLAYER_KEY.`,
      };
    }
    if (sub === "show") {
      const account = config.account();
      return {
        json: { publicKey: account.publicKeyHex, address: account.address },
        text: table([
          ["public key", `${account.publicKeyHex}  (lane address)`],
          ["address", `${account.address}  (settlement address)`],
        ]),
      };
    }
    throw new UsageError(
      sub === undefined ? "keys needs a subcommand: new or show." : `keys ${sub}: unknown; use new or show.`,
      "keys",
    );
  },
};
