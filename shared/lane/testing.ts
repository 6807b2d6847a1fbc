/**
 * A small lane for tests and benchmarks: accounts from a fixed seed, a
 * genesis funding them and signed transfers (WebCrypto signing, deterministic).
 * Not used by the executor itself.
 */
import { publicKeyFromSecret } from "../crypto/keys.ts";
import { MemoryNodeStore, type NodeStore } from "../smt/store.ts";
import type { Genesis } from "../stf/genesis.ts";
import { encodeSignedTx, type TxBody, type TxPayload, txSignBytes, requiredSigners } from "../stf/tx.ts";
import { LaneExecutor, type LaneExecutorOptions } from "./executor.ts";
import { deriveSeed, devnetLaneGenesis, sequencerSeedForLane } from "./genesis.ts";
import { createSigner, type Signer } from "./signer.ts";
import { equalBytes } from "../bytes.ts";

export type TestAccount = { secretKey: Uint8Array; publicKey: Uint8Array; signer: Signer };

export const TEST_CHAIN_ID = "bitlayer-test";

export function testAccounts(count: number, rootSeed = new Uint8Array(32)): TestAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const secretKey = deriveSeed(rootSeed, `account/${i}`);
    return { secretKey, publicKey: publicKeyFromSecret(secretKey), signer: createSigner(secretKey) };
  });
}

export type TestLane = {
  genesis: Genesis;
  accounts: TestAccount[];
  sequencer: Signer;
  newExecutor(options?: Partial<LaneExecutorOptions> & { store?: NodeStore }): LaneExecutor;
};

export function testLane(p: {
  accounts: number;
  lane?: number;
  chainId?: string;
  amount?: bigint;
}): TestLane {
  const lane = p.lane ?? 1;
  const chainId = p.chainId ?? TEST_CHAIN_ID;
  const accounts = testAccounts(p.accounts);
  const genesis = devnetLaneGenesis({
    chainId,
    lane,
    timestampMs: 1_000n,
    allocations: accounts.map((a) => ({ owner: a.publicKey, amount: p.amount ?? 1_000_000_000n })),
  });
  const sequencer = createSigner(sequencerSeedForLane(new Uint8Array(32), lane));
  return {
    genesis,
    accounts,
    sequencer,
    newExecutor(options = {}) {
      const store = options.store ?? new MemoryNodeStore();
      const head = options.head ?? LaneExecutor.writeGenesis(store, genesis);
      return new LaneExecutor({ signer: sequencer, ...options, store, head });
    },
  };
}

/** Canonical signed bytes of `body`, signed by whichever of `accounts` must sign it. */
export async function signedTx(body: TxBody, accounts: readonly TestAccount[]): Promise<Uint8Array> {
  const message = txSignBytes(body);
  const signatures = await Promise.all(
    requiredSigners(body).map(async (publicKey) => {
      const account = accounts.find((a) => equalBytes(a.publicKey, publicKey));
      if (!account) throw new Error("signedTx: no account for a required signer");
      return (await account.signer.signMany([message]))[0]!;
    }),
  );
  return encodeSignedTx({ body, signatures });
}

export function transferBody(
  lane: TestLane,
  from: TestAccount,
  to: Uint8Array,
  nonce: bigint,
  overrides: Partial<TxBody> = {},
): TxBody {
  const payload: TxPayload = { type: "transfer", to, amount: 10n };
  return {
    chainId: lane.genesis.chainId,
    lane: lane.genesis.lane,
    sender: from.publicKey,
    nonce,
    maxFeePerGas: 100n,
    tipPerGas: 1n,
    idempotencyKey: null,
    payload,
    ...overrides,
  };
}
