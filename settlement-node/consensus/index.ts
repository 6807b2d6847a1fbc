export * from "./core.ts";
export * from "./errors.ts";
export * from "./messages.ts";
export * from "./validators.ts";
export { addVote, NIL_KEY, type RoundVotes, valueKeyOf } from "./vote-keeper.ts";
