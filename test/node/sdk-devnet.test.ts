/**
 * The SDK against the real devnet, as a user's own vitest suite would use it
 * (issue #7): deposit → token mint and item mint → trade → withdraw → final →
 * claimed, driven only through `createTestClient` (sdk/testing), whose time
 * controls walk the withdrawal up the ladder in seconds although the devnet
 * runs with `npm start`'s 20-block challenge window. Every balance is read
 * back on both layers (lane reads are Merkle-proven by the SDK), the receipt
 * feed delivers the trade's receipt with its signature checked, and the
 * settlement block that paid the claim verifies as a light client would.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../shared/bytes.ts";
import {
  type Account,
  generateSecretKey,
  itemAsset,
  type ReceiptView,
  secretKeyToAccount,
  tokenAsset,
} from "../../sdk/index.ts";
import { createTestClient, type TestClient } from "../../sdk/testing/index.ts";
import {
  freeDevnetBasePort,
  killProcessGroup,
  type RunningDevnet,
  startDevnet,
  stopDevnet,
  waitUntil,
} from "./helpers/devnet.ts";

const DEPOSIT = 500_000n;
const WITHDRAW = 200_000n;
/** What issue #7 asks to be measured, printed at the end. */
const figures: Record<string, number> = {};

let devnet: RunningDevnet | undefined;
let client: TestClient;
let game: Account;
let player: Account;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bitlayer-sdk-devnet-"));
  // npm start's own pacing (500 ms blocks, 20-block challenge window): the time controls do the rest.
  devnet = await startDevnet({
    dir,
    basePort: await freeDevnetBasePort(),
    fresh: true,
    blockIntervalMs: 500,
    challengeWindowBlocks: 20,
    readyTimeoutMs: 90_000,
  });
  figures.devnetReadyMs = Math.round(devnet.readyMs);
  client = createTestClient({
    edgeUrl: devnet.info.edgeUrl,
    settlementUrls: devnet.info.validatorUrls,
    chainId: devnet.info.chainId,
    lane: devnet.info.lane,
  });
  game = secretKeyToAccount({ secretKey: fromHex(devnet.info.accounts[0]!.secretKey) });
  // A fresh player who holds nothing anywhere until the deposit.
  player = secretKeyToAccount({ secretKey: generateSecretKey() });
});

afterAll(async () => {
  console.log(`[sdk-devnet] figures ${JSON.stringify(figures)}`);
  if (devnet) await stopDevnet(devnet, 30_000).catch(() => killProcessGroup(devnet?.child));
  killProcessGroup(devnet?.child);
});

describe("the SDK and its time controls on the devnet", () => {
  let tokenId = "";
  let itemId = "";
  /** The lane transactions sent so far, in order (hex hashes). */
  const sent: string[] = [];
  const noteSent = (hash: string) => sent.push(hash.replace(/^0x/, ""));

  it("deposits from settlement: credited to the player on the lane once", async () => {
    const funder = secretKeyToAccount({ secretKey: fromHex(devnet!.info.accounts[1]!.secretKey) });
    const before = await client.getSettlementAccount({ address: funder.address });
    const d = await client.deposit({
      account: funder,
      amount: DEPOSIT,
      recipient: player,
      waitFor: "lane",
      // The lane polls settlement's inbox on its alarm; a test need not wait for it.
      onWaitingForLane: async () => {
        await client.fireAlarm();
      },
    });
    expect(d.laneBalance).toBe(DEPOSIT);
    expect((await client.getAccount({ address: player.publicKey })).balance).toBe(DEPOSIT);
    const after = await client.getSettlementAccount({ address: funder.address });
    expect(before.balance - after.balance).toBeGreaterThan(DEPOSIT);
    // Another alarm does not credit it again.
    await client.fireAlarm();
    expect((await client.getAccount({ address: player.publicKey })).balance).toBe(DEPOSIT);
  });

  it("mints a token to the player and an item to the game, then trades them atomically", async () => {
    const token = await client.createToken({ account: game, symbol: "GEMS", decimals: 0, supplyMax: 10_000n });
    tokenId = token.tokenId;
    noteSent(token.hash);
    noteSent((await client.mintToken({ account: game, tokenId, to: player.publicKey, amount: 300n })).hash);
    const sword = await client.mintItem({ account: game, referenceId: "sword-1", owner: game.publicKey });
    itemId = sword.itemId;
    noteSent(sword.hash);
    expect(toHex((await client.getItem({ itemId })).item!.owner)).toBe(game.publicKeyHex);

    const seen: ReceiptView[] = [];
    const errors: Error[] = [];
    const unwatch = client.watchReceipts({
      onReceipts: (rs) => seen.push(...rs),
      onError: (e) => errors.push(e),
    });
    try {
      // Let the socket subscribe before the trade is signed (the feed delivers from then on).
      await new Promise((r) => setTimeout(r, 500));
      const t = await client.trade({
        account: player,
        counterparty: game,
        give: [tokenAsset(fromHex(tokenId), 120n)],
        take: [itemAsset(fromHex(itemId))],
      });
      expect(t.receipt.finality).toBe("soft");
      noteSent(t.hash);
      await waitUntil("the trade's receipt on the feed", async () =>
        seen.some((r) => r.receipt.txHash === t.hash.replace(/^0x/, "")) ? true : undefined,
        15_000,
      );
    } finally {
      unwatch();
    }
    expect(errors).toEqual([]);
    expect(toHex((await client.getItem({ itemId })).item!.owner)).toBe(player.publicKeyHex);
    expect((await client.getTokenBalance({ address: player.publicKey, tokenId })).balance).toBe(180n);
    expect((await client.getTokenBalance({ address: game.publicKey, tokenId })).balance).toBe(120n);
  });

  it("watchReceipts from height 1 replays the lane's whole history once, in order, then goes live", async () => {
    const { height } = await client.getLaneStatus();
    const seen: ReceiptView[] = [];
    const errors: Error[] = [];
    let live = { hash: "" };
    const unwatch = client.watchReceipts({
      fromHeight: 1n,
      onReceipts: (rs) => seen.push(...rs),
      onError: (e) => errors.push(e),
    });
    try {
      await waitUntil(
        "the replay to reach the lane's head",
        async () => (seen.length > 0 && BigInt(seen.at(-1)!.receipt.height) >= BigInt(height) ? true : undefined),
        15_000,
      );
      live = await client.transfer({ account: game, to: player.publicKey, amount: 1n });
      await waitUntil(
        "the new transfer's receipt",
        async () => (seen.some((r) => r.receipt.txHash === live.hash.replace(/^0x/, "")) ? true : undefined),
        15_000,
      );
    } finally {
      unwatch();
    }
    expect(errors).toEqual([]);
    // Every transaction sent before the watch began, in the order sent, and the live one after them.
    const hashes = seen.map((r) => r.receipt.txHash);
    expect(hashes.filter((h) => sent.includes(h))).toEqual(sent);
    expect(hashes.indexOf(live.hash.replace(/^0x/, ""))).toBe(hashes.length - 1);
    const positions = seen.map((r) => `${r.receipt.height}/${r.receipt.index}`);
    expect(new Set(positions).size).toBe(positions.length);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!.receipt, seen[i]!.receipt];
      expect(BigInt(a.height) < BigInt(b.height) || (a.height === b.height && a.index < b.index)).toBe(true);
    }
  });

  it("withdraws to the player's settlement account: soft, then final by the time controls, then claimed once, in seconds", async () => {
    const laneBefore = await client.getAccount({ address: player.publicKey });
    const statuses: string[] = [];
    const t0 = performance.now();
    const w = await client.withdraw({
      account: player,
      amount: WITHDRAW,
      // The player has no settlement balance for the claim's fee yet: the game pays it.
      claimAccount: game,
      onProgress: async (p) => {
        statuses.push(p.status);
        // The time controls: checkpoint now and fast-forward past the challenge window.
        if (p.status === "soft") await client.finalize({ hash: p.hash });
      },
    });
    figures.withdrawToClaimedMs = Math.round(performance.now() - t0);
    figures.withdrawToFinalMs = Math.round(w.timings.final ?? -1);
    expect(statuses[0]).toBe("soft");
    expect(statuses).toContain("final");
    expect(statuses.at(-1)).toBe("claimed");
    // Up the ladder only.
    const rank = ["soft", "checkpointed", "settled", "final", "claimed"];
    expect([...statuses].sort((a, b) => rank.indexOf(a) - rank.indexOf(b))).toEqual(statuses);

    const paid = await client.getSettlementAccount({ address: player.address });
    expect(paid.balance).toBe(WITHDRAW);
    const laneAfter = await client.getAccount({ address: player.publicKey });
    expect(laneBefore.balance - laneAfter.balance).toBeGreaterThanOrEqual(WITHDRAW);
    expect((await client.getTransactionStatus({ hash: w.hash })).status).toBe("final");

    // Exactly once: a second claim of the same withdrawal is refused and pays nothing.
    await expect(client.claimWithdrawal({ account: game, withdrawalId: w.withdrawalId })).rejects.toThrow();
    expect((await client.getSettlementAccount({ address: player.address })).balance).toBe(WITHDRAW);

    // The block that paid the claim carries a commit certificate of > 2/3 of the validators' power.
    const { validators } = await client.getValidators();
    const { verification } = await client.getVerifiedSettlementBlock({ height: w.claimHeight, validators });
    expect(verification.valid).toBe(true);
    expect(verification.signedPower * 3n).toBeGreaterThan(verification.totalPower * 2n);
  });
});
