/**
 * A canonical string of everything in a consensus state that decides future
 * behaviour, for comparing a state before a crash with the state its WAL
 * replay rebuilds, and for trace digests. Rounds are sorted explicitly.
 */
import { toHex } from "../../shared/bytes.ts";
import { type ConsensusState, encodeConsensusMessage, valueKeyOf } from "../consensus/index.ts";

export function stateFingerprint(s: ConsensusState): string {
  const parts: string[] = [
    `h${s.height} r${s.round} ${s.step} await${s.awaitingValue}`,
    `lock ${s.lockedValue?.key ?? "nil"}@${s.lockedRound} valid ${s.validValue?.key ?? "nil"}@${s.validRound}`,
    `decision ${s.decision ? `${s.decision.round}/${s.decision.value.key}` : "none"} future ${s.future.length}`,
    `set ${s.validatorSet?.validators.map((v) => `${toHex(v.publicKey).slice(0, 8)}:${v.power}`).join(",")} ${s.validatorSet?.priorities.join(",")}`,
  ];
  for (const round of [...s.rounds.keys()].sort((a, b) => a - b)) {
    const r = s.rounds.get(round)!;
    const votes = (t: "prevote" | "precommit") =>
      r.votes[t].byValidator.map((v) => (v ? valueKeyOf(v.vote.valueId).slice(0, 8) : "-")).join(",");
    parts.push(
      `round ${round}: ${r.proposals.map((p) => `${p.key.slice(0, 8)}${p.valid ? "+" : "-"}`).join(",")} pv[${votes("prevote")}] pc[${votes("precommit")}] ${r.doneL34}${r.doneL36}${r.doneL47}`,
    );
  }
  for (const m of s.ownMessages) parts.push(toHex(encodeConsensusMessage(m)));
  return parts.join("\n");
}
