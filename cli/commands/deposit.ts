/**
 * `bitlayer deposit --amount N [--to ADDRESS]`: native tokens from the --key
 * account's settlement balance into the lane (a `depositToLane` settlement
 * transaction), followed until settlement commits it and, by default, until
 * the lane credits it.
 */
import { toHex } from "../../shared/bytes.ts";
import { parseAmount, parseMs, str, table } from "../args.ts";
import { clientOf } from "../client.ts";
import type { Command } from "../command.ts";

export const deposit: Command = {
  name: "deposit",
  summary: "deposit --amount N [--to ADDRESS]: settlement → lane, shown until the lane credits it",
  usage: `bitlayer deposit --amount N [--to ADDRESS] [--settlement-only] [--timeout-ms MS] [--key K]
  --amount N          base units, from the --key account's settlement balance (plus the settlement fee)
  --to ADDRESS        who is credited on the lane: a lane address or @N (default: the --key account)
  --settlement-only   return once settlement committed it; do not wait for the lane's credit
  --timeout-ms MS     for each wait (default 60000)`,
  options: {
    amount: { type: "string" },
    to: { type: "string" },
    "settlement-only": { type: "boolean" },
    "timeout-ms": { type: "string" },
  },
  positionalsMax: 0,
  async run(ctx) {
    const { config, values } = ctx;
    const amount = parseAmount(str(values, "amount"), "--amount");
    const timeoutMs = parseMs(str(values, "timeout-ms"), "--timeout-ms", 60_000);
    const toText = str(values, "to");
    const account = config.account();
    const recipient = toText === undefined ? account.publicKey : config.resolveLaneAddress(toText, "--to");
    const waitLane = values["settlement-only"] !== true;
    const client = clientOf(config);
    const t0 = performance.now();
    ctx.progress(`deposit ${amount} from ${account.address} to ${toHex(recipient)} on lane ${client.lane}…`);
    const d = await client.deposit({
      account,
      amount,
      recipient,
      waitFor: waitLane ? "lane" : "settlement",
      timeoutMs,
    });
    const ms = Math.round(performance.now() - t0);
    const json = {
      hash: d.hash,
      height: d.height.toString(),
      depositId: d.depositId.toString(),
      laneDepositId: d.laneDepositId,
      from: account.address,
      to: toHex(recipient),
      amount: amount.toString(),
      status: waitLane ? "credited" : "committed",
      laneBalance: d.laneBalance === undefined ? null : d.laneBalance.toString(),
      elapsedMs: ms,
    };
    const rows: [string, string][] = [
      ["settlement tx", d.hash],
      ["committed", `settlement height ${d.height}, deposit ${d.depositId} of lane ${client.lane}`],
    ];
    if (d.laneBalance !== undefined)
      rows.push([
        "credited",
        `on lane ${client.lane}; balance now ${d.laneBalance} (${(ms / 1000).toFixed(1)} s)`,
      ]);
    return { json, text: `deposit ${amount} to ${toHex(recipient)}\n${table(rows)}` };
  },
};
