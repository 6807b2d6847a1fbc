/**
 * Genesis validation with errors naming the bad field, the initial state it
 * produces, and the golden app hashes of a fixed scenario (identical in Node
 * and workerd; regenerate with settlement-node/ledger/gen-golden.ts).
 */
import { describe, expect, it } from "vitest";
import { goldenRun } from "../../settlement-node/ledger/golden.ts";
import {
  LedgerHarness,
  TEST_LEDGER_PARAMS,
  testGenesis,
  testKey,
} from "../../settlement-node/ledger/harness.ts";
import {
  accountAddressOf,
  GenesisError,
  type GenesisJson,
  genesisWrites,
  parseGenesis,
} from "../../settlement-node/ledger/index.ts";
import golden from "../golden/ledger-app-hashes.json";

function fieldOf(json: unknown): string {
  try {
    parseGenesis(json);
  } catch (e) {
    expect(e).toBeInstanceOf(GenesisError);
    return (e as GenesisError).field;
  }
  throw new Error("genesis was accepted");
}

const base = testGenesis();
const withParams = (p: Partial<GenesisJson["params"]>): GenesisJson => ({
  ...base,
  params: { ...TEST_LEDGER_PARAMS, ...p },
});

describe("genesis", () => {
  it("accepts the test genesis and funds its accounts and validators", () => {
    const g = parseGenesis(base);
    const state = genesisWrites(g);
    expect(state.validators).toHaveLength(4);
    expect(state.supply).toBe(8n * 1_000_000n + 4n * 10_000n);
    const h = new LedgerHarness(base);
    expect(h.chain()).toMatchObject({ chainId: "bitlayer-test", height: 0n, supply: state.supply });
    expect(h.account(accountAddressOf(testKey("a2"))).balance).toBe(1_000_000n);
  });

  it.each([
    ["chainId", { ...base, chainId: "" }],
    ["genesisTimeMs", { ...base, genesisTimeMs: "-1" }],
    ["validators", { ...base, validators: [] }],
    ["validators.0.publicKey", { ...base, validators: [{ publicKey: "zz", stake: "10000" }] }],
    ["validators.1.publicKey", { ...base, validators: [base.validators[0], base.validators[0]] }],
    ["validators.0.stake", { ...base, validators: [{ ...base.validators[0]!, stake: "999" }] }],
    ["accounts.0.balance", { ...base, accounts: [{ ...base.accounts[0]!, balance: "01" }] }],
    ["accounts.1.address", { ...base, accounts: [base.accounts[0], base.accounts[0]] }],
    ["params.unbondingPeriodBlocks", withParams({ unbondingPeriodBlocks: "10" })],
    ["params.challengeWindowBlocksMax", withParams({ challengeWindowBlocksMax: "1" })],
    ["params.missedBlocksMax", withParams({ missedBlocksMax: 10 })],
    ["params.feeShareValidatorsBps", withParams({ feeShareValidatorsBps: 10_001 })],
    ["params.treasury", withParams({ treasury: "00" })],
    ["params", { ...base, params: { ...TEST_LEDGER_PARAMS, extra: 1 } }],
  ])("names %s when it is invalid", (field, json) => {
    expect(fieldOf(json)).toBe(field);
  });
});

describe("golden app hashes", () => {
  it("reproduces the committed app hashes of a fixed scenario", () => {
    expect(goldenRun()).toEqual(golden);
    expect(golden.blocks.every((b) => b.statuses.every((s) => s === 0))).toBe(true);
  });
});
