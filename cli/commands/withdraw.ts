/**
 * `bitlayer withdraw --amount N`: the whole withdrawal from the lane to
 * settlement. The lane transaction burns the amount (soft), its checkpoint is
 * posted (checkpointed), committed (settled) and its challenge window passes
 * (final); then the claim with the Merkle proof pays the recipient on
 * settlement (claimed). Each status is shown as it is reached, with the
 * estimated time to final.
 */
import { toHex } from "../../shared/bytes.ts";
import { parseAmount, parseMs, str, table } from "../args.ts";
import { clientOf } from "../client.ts";
import type { Command } from "../command.ts";

export const withdraw: Command = {
  name: "withdraw",
  summary: "withdraw --amount N [--to ADDRESS]: lane → settlement, shown until final and paid",
  usage: `bitlayer withdraw --amount N [--to ADDRESS] [--timeout-ms MS] [--key K]
  --amount N        base units of the --key account's lane balance
  --to ADDRESS      whose settlement account is paid: a lane address or @N (default: the --key account)
  --timeout-ms MS   for the whole flow (default 600000); exit 1 when it runs out`,
  options: { amount: { type: "string" }, to: { type: "string" }, "timeout-ms": { type: "string" } },
  positionalsMax: 0,
  async run(ctx) {
    const { config, values } = ctx;
    const amount = parseAmount(str(values, "amount"), "--amount");
    const timeoutMs = parseMs(str(values, "timeout-ms"), "--timeout-ms", 600_000);
    const toText = str(values, "to");
    const account = config.account();
    const recipient = toText === undefined ? account.publicKey : config.resolveLaneAddress(toText, "--to");
    const client = clientOf(config);
    ctx.progress(
      `withdraw ${amount} from lane ${client.lane} to the settlement account of ${toHex(recipient)}…`,
    );
    const w = await client.withdraw({
      account,
      amount,
      recipient,
      timeoutMs,
      onProgress: (p) => {
        const eta =
          p.estimate && p.status !== "final"
            ? `, final in ~${(p.estimate.remainingMs / 1000).toFixed(1)} s`
            : "";
        const where = p.checkpointIndex === null ? "" : ` (checkpoint ${p.checkpointIndex})`;
        ctx.progress(`  ${p.status.padEnd(12)} after ${(p.elapsedMs / 1000).toFixed(1)} s${where}${eta}`);
      },
    });
    const json = {
      hash: w.hash,
      withdrawalId: w.withdrawalId.toString(),
      checkpointIndex: w.checkpointIndex.toString(),
      amount: w.amount.toString(),
      recipient: toHex(recipient),
      status: "claimed",
      claimHash: w.claimHash,
      claimHeight: w.claimHeight.toString(),
      timings: w.timings,
    };
    return {
      json,
      text: `withdraw ${amount}: paid on settlement\n${table([
        ["lane tx", w.hash],
        ["withdrawal", `id ${w.withdrawalId}, checkpoint ${w.checkpointIndex}`],
        ["claim", `${w.claimHash} at settlement height ${w.claimHeight}`],
      ])}`,
    };
  },
};
