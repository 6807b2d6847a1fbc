/**
 * The game's rules on top of the Bitlayer SDK client: players get a lane
 * account (the server keeps their keys: a custodial game backend) and some
 * starting coins from the game's treasury, the game mints items to them,
 * players trade items for coins, and a player cashes coins out to settlement
 * through a withdrawal.
 *
 * Everything of value is on the lane; this module only remembers who is who
 * (player id → key) and which items it minted. Balances and owners are
 * always read back from the lane with their Merkle proofs.
 */
import { fromHex, toHex } from "../../../shared/bytes.ts";
import {
  type Account,
  type BitlayerClient,
  type FinalityStatus,
  generateSecretKey,
  itemAsset,
  nativeAsset,
  secretKeyToAccount,
} from "../../../sdk/index.ts";

export type Player = { id: string; name: string; account: Account };

export type ItemView = {
  itemId: string;
  kind: string;
  owner: string | null;
  ownerPlayerId: string | null;
};

export type TxView = { hash: string; finality: FinalityStatus; height: string };

/** A cash-out in flight or done: the withdrawal's status, from `soft` to `claimed` (paid on settlement). */
export type CashoutView = {
  id: string;
  playerId: string;
  amount: string;
  status: FinalityStatus | "claimed" | "failed";
  /** The lane withdraw transaction, once sent. */
  hash: string | null;
  withdrawalId: string | null;
  claimHash: string | null;
  /** Milliseconds from the request to each status. */
  timings: Record<string, number>;
  /** Estimated milliseconds until `final`, while it is not. */
  remainingMs: number | null;
  error: string | null;
};

/** A request the game refuses on its own rules (unknown player, not the owner, …): HTTP 4xx. */
export class GameRuleError extends Error {
  override readonly name = "GameRuleError";
  readonly status: 400 | 404 | 409;
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: 400 | 404 | 409, code: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export type GameOptions = {
  client: BitlayerClient;
  /** The game's own account: mints items (it is their issuer) and pays out starting coins. */
  treasury: Account;
  /** Native coins each new player receives (enough to pay a few fees). */
  startingCoins: bigint;
};

const txView = (r: { hash: string; receipt: { finality: FinalityStatus; receipt: { height: string } } }) => ({
  hash: r.hash,
  finality: r.receipt.finality,
  height: r.receipt.receipt.height,
});

export class Game {
  readonly #client: BitlayerClient;
  readonly #treasury: Account;
  readonly #startingCoins: bigint;
  readonly #players = new Map<string, Player>();
  readonly #byPublicKey = new Map<string, Player>();
  readonly #items = new Map<string, { kind: string }>();
  readonly #cashouts = new Map<string, CashoutView>();
  #nextItem = 0;

  constructor(o: GameOptions) {
    this.#client = o.client;
    this.#treasury = o.treasury;
    this.#startingCoins = o.startingCoins;
  }

  get client(): BitlayerClient {
    return this.#client;
  }

  player(id: string): Player {
    const p = this.#players.get(id);
    if (!p) throw new GameRuleError(404, "unknown_player", `No player ${id}.`, "playerId");
    return p;
  }

  /** A new player: a fresh key, and the starting coins from the treasury (soft-confirmed on return). */
  async join(name: string): Promise<{ player: Player; funding: TxView }> {
    const account = secretKeyToAccount({ secretKey: generateSecretKey() });
    const player = { id: `p${this.#players.size + 1}`, name, account };
    const funding = await this.#client.transfer({
      account: this.#treasury,
      to: account.publicKey,
      amount: this.#startingCoins,
    });
    this.#players.set(player.id, player);
    this.#byPublicKey.set(account.publicKeyHex, player);
    return { player, funding: txView(funding) };
  }

  /** The player's coins and the items of this game they own, read from the lane with proofs. */
  async inventory(playerId: string): Promise<{ coins: bigint; nonce: bigint; items: ItemView[] }> {
    const player = this.player(playerId);
    const account = await this.#client.getAccount({ address: player.account });
    const items = await Promise.all([...this.#items.keys()].map((id) => this.item(id)));
    return {
      coins: account.balance,
      nonce: account.nonce,
      items: items.filter((i) => i.owner === player.account.publicKeyHex),
    };
  }

  /** Mints a new item of `kind` to a player; the game's treasury is its issuer. */
  async grantItem(playerId: string, kind: string): Promise<{ item: ItemView; tx: TxView }> {
    const player = this.player(playerId);
    // The reference id makes a retried grant detectable on the lane (same id → same item).
    const referenceId = `${kind}#${++this.#nextItem}`;
    const r = await this.#client.mintItem({
      account: this.#treasury,
      referenceId,
      owner: player.account,
      metadata: JSON.stringify({ kind }),
    });
    this.#items.set(r.itemId, { kind });
    return {
      item: { itemId: r.itemId, kind, owner: player.account.publicKeyHex, ownerPlayerId: player.id },
      tx: txView(r),
    };
  }

  /** An item of this game and its owner, as the lane proves it. */
  async item(itemId: string): Promise<ItemView> {
    const known = this.#items.get(itemId);
    if (!known) throw new GameRuleError(404, "unknown_item", `No item ${itemId} in this game.`, "itemId");
    const { item } = await this.#client.getItem({ itemId });
    const owner = item && !item.burned ? toHex(item.owner) : null;
    return {
      itemId,
      kind: known.kind,
      owner,
      ownerPlayerId: owner ? (this.#byPublicKey.get(owner)?.id ?? null) : null,
    };
  }

  /**
   * Starts a cash-out: the player's coins leave the lane by a withdrawal and
   * are paid to their settlement account once the checkpoint is final. It
   * takes as long as the lane's challenge window, so it runs in the
   * background; `cashout(id)` shows where it is. Answers once the lane
   * transaction is signed (soft), so a refused withdrawal (e.g. too few
   * coins) is the caller's error right away.
   */
  async startCashout(playerId: string, amount: bigint): Promise<CashoutView> {
    const player = this.player(playerId);
    const view: CashoutView = {
      id: `c${this.#cashouts.size + 1}`,
      playerId,
      amount: amount.toString(),
      status: "soft",
      hash: null,
      withdrawalId: null,
      claimHash: null,
      timings: {},
      remainingMs: null,
      error: null,
    };
    let signed!: () => void;
    let refused!: (error: unknown) => void;
    const firstStatus = new Promise<void>((resolve, reject) => {
      signed = resolve;
      refused = reject;
    });
    this.#client
      .withdraw({
        account: player.account,
        amount,
        // Players hold nothing on settlement to pay the claim's fee: the game's treasury signs and pays it;
        // the payout still goes to the player's settlement account (the withdrawal's recipient).
        claimAccount: this.#treasury,
        onProgress: (p) => {
          view.status = p.status;
          view.hash = p.hash;
          view.withdrawalId = p.withdrawalId === null ? null : p.withdrawalId.toString();
          view.timings[p.status] = p.elapsedMs;
          view.remainingMs = p.estimate ? p.estimate.remainingMs : null;
          if (!this.#cashouts.has(view.id)) {
            this.#cashouts.set(view.id, view);
            signed();
          }
        },
      })
      .then((w) => {
        view.claimHash = w.claimHash;
        view.status = "claimed";
      })
      .catch((error: unknown) => {
        if (!this.#cashouts.has(view.id)) return refused(error);
        view.status = "failed";
        view.error = error instanceof Error ? error.message : String(error);
      });
    await firstStatus;
    return view;
  }

  cashout(id: string): CashoutView {
    const view = this.#cashouts.get(id);
    if (!view) throw new GameRuleError(404, "unknown_cashout", `No cash-out ${id}.`, "cashoutId");
    return view;
  }

  /**
   * The seller's item for the buyer's coins, in one atomic lane transaction
   * signed by both: either the item and the coins both move, or nothing does.
   */
  async trade(o: { sellerId: string; buyerId: string; itemId: string; price: bigint }): Promise<TxView> {
    const seller = this.player(o.sellerId);
    const buyer = this.player(o.buyerId);
    if (seller.id === buyer.id)
      throw new GameRuleError(400, "same_player", "A player cannot trade with themself.", "buyerId");
    const item = await this.item(o.itemId);
    if (item.owner !== seller.account.publicKeyHex)
      throw new GameRuleError(409, "not_owner", `Item ${o.itemId} is not owned by ${seller.id}.`, "itemId");
    const r = await this.#client.trade({
      account: seller.account,
      counterparty: buyer.account,
      give: [itemAsset(fromHex(o.itemId))],
      take: [nativeAsset(o.price)],
    });
    return txView(r);
  }
}
