/** `bitlayer status TXHASH [--wait STATUS]`: where a lane transaction is on the finality ladder. */
import { txStatusName } from "../../sdk/index.ts";
import { table } from "../args.ts";
import { clientOf, WAIT_OPTIONS, WAIT_USAGE, waitOptionsOf } from "../client.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";

const HASH = /^(0x)?[0-9a-fA-F]{64}$/;

export const status: Command = {
  name: "status",
  summary: "status TXHASH: a lane transaction's receipt and finality (soft → checkpointed → settled → final)",
  usage: `bitlayer status TXHASH [--wait STATUS] [--lane N]
  TXHASH            the transaction hash (64 hex digits) printed by transfer, mint, trade or withdraw
${WAIT_USAGE}`,
  options: { ...WAIT_OPTIONS },
  positionalsMax: 1,
  async run(ctx) {
    const [hashText] = ctx.positionals;
    if (hashText === undefined) throw new UsageError("status needs TXHASH (64 hex digits).", "TXHASH");
    if (!HASH.test(hashText)) throw new UsageError(`TXHASH: "${hashText}" is not 64 hex digits.`, "TXHASH");
    const hash = (hashText.startsWith("0x") ? hashText.slice(2) : hashText).toLowerCase();
    const wait = waitOptionsOf(ctx);
    const client = clientOf(ctx.config, { settlement: false });
    const found =
      wait.status === undefined
        ? await client.getTransactionStatus({ hash })
        : await client
            .waitForStatus({
              hash,
              status: wait.status,
              timeoutMs: wait.timeoutMs,
              onStatus: (s) => ctx.progress(`  ${s}`),
            })
            .then((receipt) => ({ status: receipt.finality, receipt }));
    if (found.receipt === null)
      return {
        json: { hash, lane: client.lane, status: "unknown", receipt: null },
        text: `no receipt for ${hash} on lane ${client.lane} (unknown to the lane: not submitted, or rejected)`,
      };
    const r = found.receipt.receipt;
    return {
      json: {
        hash,
        lane: client.lane,
        status: found.status,
        receipt: { ...r, statusName: txStatusName(r.status) },
        signature: found.receipt.signature,
      },
      text: table([
        ["tx hash", hash],
        ["finality", found.status],
        ["receipt", `lane ${r.lane} height ${r.height} index ${r.index}, ${txStatusName(r.status)}`],
        ["state root", r.stateRoot],
      ]),
    };
  },
};
