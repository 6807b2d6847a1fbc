/** `bitlayer validators`: the settlement validator set with stake, power and status. */
import type { Command } from "../command.ts";
import { getFromAny } from "../http.ts";

type Validator = {
  address: string;
  publicKey: string;
  stake: string;
  power: string;
  status: string;
  jailedUntilHeight: string;
  rewardsTotal: string;
  slashedTotal: string;
};

export const validators: Command = {
  name: "validators",
  summary: "validators: the settlement validator set (stake, power, status)",
  usage: "bitlayer validators",
  options: {},
  positionalsMax: 0,
  async run({ config }) {
    const r = await getFromAny<{ height: string; validators: Validator[] }>(
      config.settlementUrls(),
      "/v1/validators",
    );
    const header = ["address", "stake", "power", "status", "rewards", "slashed"];
    const rows = r.validators.map((v) => [
      v.address,
      v.stake,
      v.power,
      v.status,
      v.rewardsTotal,
      v.slashedTotal,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd();
    return {
      json: r,
      text: [
        `settlement height ${r.height}, ${r.validators.length} validator(s)`,
        line(header),
        ...rows.map(line),
      ].join("\n"),
    };
  },
};
