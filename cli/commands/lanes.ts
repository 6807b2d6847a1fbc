/**
 * `bitlayer lanes`: every lane settlement knows (sequencer, bond, escrow,
 * challenge window, checkpoints), and the head of the --lane lane as the
 * edge reports it.
 */
import { table } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { getFromAny, getJson } from "../http.ts";

type Lane = {
  id: number;
  sequencer: string;
  bond: string;
  escrow: string;
  challengeWindowBlocks: string;
  checkpointCount: string;
  depositCount: string;
  withdrawalCount: string;
  lastRoot: string;
};
type EdgeStatus = {
  lane: number;
  height: string;
  stateRoot: string;
  baseFeePerGas: string;
  pendingBlocks: number;
};

const PAGES_MAX = 100;

export const lanes: Command = {
  name: "lanes",
  summary: "lanes: the lanes on settlement, and the edge's head of --lane",
  usage: "bitlayer lanes [--lane N]",
  options: {},
  positionalsMax: 0,
  async run({ config }) {
    const urls = config.settlementUrls();
    const all: Lane[] = [];
    let from: string | null = "1";
    for (let page = 0; from !== null && page < PAGES_MAX; page++) {
      const r: { lanes: Lane[]; next: string | number | null } = await getFromAny(
        urls,
        `/v1/lanes?from=${from}`,
      );
      all.push(...r.lanes);
      from = r.next === null ? null : String(r.next);
    }
    let edgeUrl: string | undefined;
    try {
      edgeUrl = config.edgeUrl();
    } catch (error) {
      // Without an edge URL the settlement view is still the answer.
      if (!(error instanceof UsageError)) throw error;
    }
    const lane = config.lane();
    const edge = edgeUrl ? await getJson<EdgeStatus>(`${edgeUrl}/v1/lanes/${lane}/status`) : null;
    const json = { lanes: all, edge: edge && { url: edgeUrl, ...edge } };
    const lines = all.map((l) =>
      table([
        [`lane ${l.id}`, `sequencer ${l.sequencer}`],
        ["  bond / escrow", `${l.bond} / ${l.escrow}`],
        ["  challenge window", `${l.challengeWindowBlocks} settlement blocks`],
        [
          "  checkpoints",
          `${l.checkpointCount}  (deposits ${l.depositCount}, withdrawals ${l.withdrawalCount})`,
        ],
        ["  last root", l.lastRoot],
      ]),
    );
    if (all.length === 0) lines.push("no lanes on settlement");
    if (edge)
      lines.push(
        `edge ${edgeUrl}: lane ${edge.lane} at height ${edge.height}, base fee ${edge.baseFeePerGas}, ${edge.pendingBlocks} block(s) awaiting a checkpoint`,
      );
    return { json, text: lines.join("\n") };
  },
};
