/**
 * Consensus benchmarks (runtime-agnostic: the core and the simulator are pure).
 * - one core step: a vote or proposal through `step`, cycling one full height
 *   of a 4-validator set (the stand-in signer signs our own votes);
 * - simulated heights per second of wall time: simulator seeds 1..4 end to
 *   end (network, faults, checkers included), per committed height.
 */
import { bigintToBytesBE, utf8 } from "../../shared/bytes.ts";
import {
  type ConsensusConfig,
  type ConsensusInput,
  type ConsensusState,
  DEFAULT_TIMEOUTS,
  initialState,
  signProposal,
  signVote,
  step,
  valueIdOf,
} from "../../settlement-node/consensus/index.ts";
import { standInSigner } from "../../settlement-node/sim/signer.ts";
import { runSeed } from "../../settlement-node/sim/simulator.ts";
import type { BenchCase } from "../lib/types.ts";

const CHAIN = "bitlayer-bench";
const signers = [0, 1, 2, 3].map((i) => standInSigner(bigintToBytesBE(BigInt(i + 1), 32)));
const config: ConsensusConfig = { chainId: CHAIN, signer: signers[3]!, ...DEFAULT_TIMEOUTS };

/** The inputs of one height in which validator 3 prevotes, locks, precommits and decides. */
function heightInputs(): ConsensusInput[] {
  const value = utf8("a block of about this size ".repeat(8));
  const valueId = valueIdOf(value);
  const vote = (type: "prevote" | "precommit", from: number): ConsensusInput => ({
    type: "vote",
    signed: signVote(CHAIN, signers[from]!, {
      type,
      height: 1,
      round: 0,
      valueId,
      validatorIndex: from,
      extension: new Uint8Array(type === "precommit" ? 32 : 0),
    }),
  });
  return [
    {
      type: "startHeight",
      height: 1,
      validators: signers.map((s) => ({ publicKey: s.publicKey, power: 10n })),
    },
    {
      type: "proposal",
      signed: signProposal(CHAIN, signers[0]!, {
        height: 1,
        round: 0,
        polRound: -1,
        value,
        validatorIndex: 0,
      }),
      valid: true,
      extension: new Uint8Array(32),
    },
    vote("prevote", 0),
    vote("prevote", 1),
    vote("prevote", 2),
    vote("precommit", 0),
    vote("precommit", 1),
    vote("precommit", 2),
  ];
}

type StepState = { inputs: ConsensusInput[]; state: ConsensusState; cursor: number; sink: number };

const SIM_SEEDS = [1, 2, 3, 4];
let simHeights = 0;
function simulatedHeights(): number {
  if (simHeights === 0) for (const seed of SIM_SEEDS) simHeights += runSeed(seed).heightsCommitted;
  return simHeights;
}

export const cases: BenchCase[] = [
  {
    name: "step",
    unit: "core step",
    setup: (): StepState => ({ inputs: heightInputs(), state: initialState(), cursor: 0, sink: 0 }),
    run: (s: StepState, n: number) => {
      for (let i = 0; i < n; i++) {
        if (s.cursor === s.inputs.length) {
          s.state = initialState();
          s.cursor = 0;
        }
        const result = step(config, s.state, s.inputs[s.cursor++]!);
        s.state = result.state;
        s.sink += result.outputs.length;
      }
    },
    n: 800,
  },
  {
    name: "simulated-height",
    unit: "simulated height",
    setup: () => ({ sink: 0 }),
    run: (s: { sink: number }, n: number) => {
      // n is a multiple of the heights seeds 1..4 commit; each call replays them whole.
      for (let done = 0; done < n; done += simulatedHeights())
        for (const seed of SIM_SEEDS) s.sink += runSeed(seed).events;
    },
    n: 0,
  },
];
cases[1]!.n = simulatedHeights();
