/** `bitlayer transfer --to ADDRESS --amount N`: native tokens to another lane account, signed by --key. */
import { parseAmount, str } from "../args.ts";
import { clientOf, transactionOutput, WAIT_OPTIONS, WAIT_USAGE, waitOptionsOf } from "../client.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { toHex } from "../../shared/bytes.ts";

export const transfer: Command = {
  name: "transfer",
  summary: "transfer --to ADDRESS --amount N: send native tokens on the lane",
  usage: `bitlayer transfer --to ADDRESS --amount N [--wait STATUS] [--key K]
  --to ADDRESS      the recipient's lane address (64-hex public key) or @N (devnet account N)
  --amount N        base units, a whole number > 0
${WAIT_USAGE}`,
  options: { to: { type: "string" }, amount: { type: "string" }, ...WAIT_OPTIONS },
  positionalsMax: 0,
  async run(ctx) {
    const { config, values } = ctx;
    const toText = str(values, "to");
    if (toText === undefined) throw new UsageError("--to is required (a lane address or @N).", "--to");
    const to = config.resolveLaneAddress(toText, "--to");
    const amount = parseAmount(str(values, "amount"), "--amount");
    const wait = waitOptionsOf(ctx);
    const account = config.account();
    const client = clientOf(config, { settlement: wait.status !== undefined });
    const result = await client.transfer({ account, to, amount });
    return transactionOutput(
      ctx,
      client,
      `transfer ${amount} to ${toHex(to)} on lane ${client.lane}`,
      result,
      wait,
      {
        json: { from: account.publicKeyHex, to: toHex(to), amount: amount.toString() },
      },
    );
  },
};
