/**
 * `bitlayer trade --with K --give ASSET --take ASSET`: an atomic swap between
 * the --key account and the account of key K; both sign the one
 * transaction, so this command needs both keys (on a devnet: @N).
 */
import { fromHex, toHex } from "../../shared/bytes.ts";
import { itemAsset, nativeAsset, type TradeAsset, tokenAsset } from "../../sdk/index.ts";
import { parseAmount } from "../args.ts";
import { clientOf, transactionOutput, WAIT_OPTIONS, WAIT_USAGE, waitOptionsOf } from "../client.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";

const HEX32 = /^(0x)?[0-9a-fA-F]{64}$/;
const hex32 = (text: string): Uint8Array => fromHex(text.startsWith("0x") ? text.slice(2) : text);

/** `native:AMOUNT`, `token:TOKENID:AMOUNT` or `item:ITEMID`. */
export function parseAsset(text: string, flag: string): TradeAsset {
  const [kind, a, b] = text.split(":");
  if (kind === "native" && a !== undefined && b === undefined) return nativeAsset(parseAmount(a, flag));
  if (kind === "item" && a !== undefined && b === undefined && HEX32.test(a)) return itemAsset(hex32(a));
  if (kind === "token" && a !== undefined && b !== undefined && HEX32.test(a))
    return tokenAsset(hex32(a), parseAmount(b, flag));
  throw new UsageError(
    `${flag}: "${text}" is not native:AMOUNT, token:TOKENID:AMOUNT or item:ITEMID (ids are 64 hex digits).`,
    flag,
  );
}

const describe = (a: TradeAsset): string =>
  a.type === "native"
    ? `${a.amount} native`
    : a.type === "token"
      ? `${a.amount} of token ${toHex(a.tokenId)}`
      : `item ${toHex(a.itemId)}`;

const assetJson = (a: TradeAsset) =>
  a.type === "native"
    ? { type: a.type, amount: a.amount.toString() }
    : a.type === "token"
      ? { type: a.type, tokenId: toHex(a.tokenId), amount: a.amount.toString() }
      : { type: a.type, itemId: toHex(a.itemId) };

export const trade: Command = {
  name: "trade",
  summary: "trade --with K --give ASSET --take ASSET: an atomic swap signed by both parties",
  usage: `bitlayer trade --with K --give ASSET [--give ASSET…] --take ASSET [--take ASSET…] [--wait STATUS]
  --with K          the counterparty's key (64-hex secret, @N or a key file): both parties sign
  --give ASSET      what the --key account gives; --take ASSET what it receives (each repeatable)
  ASSET             native:AMOUNT | token:TOKENID:AMOUNT | item:ITEMID
${WAIT_USAGE}`,
  options: {
    with: { type: "string" },
    give: { type: "string", multiple: true },
    take: { type: "string", multiple: true },
    ...WAIT_OPTIONS,
  },
  positionalsMax: 0,
  async run(ctx) {
    const { config, values } = ctx;
    const withText = values.with;
    if (typeof withText !== "string")
      throw new UsageError("--with is required (the counterparty's key).", "--with");
    const give = ((values.give as string[] | undefined) ?? []).map((t) => parseAsset(t, "--give"));
    const take = ((values.take as string[] | undefined) ?? []).map((t) => parseAsset(t, "--take"));
    if (give.length === 0 && take.length === 0)
      throw new UsageError("a trade needs at least one --give or --take.", "--give");
    const wait = waitOptionsOf(ctx);
    const account = config.account();
    const counterparty = config.accountOf(withText, "--with");
    if (counterparty.publicKeyHex === account.publicKeyHex)
      throw new UsageError("--with is the --key account itself: a trade needs two parties.", "--with");
    const client = clientOf(config, { settlement: wait.status !== undefined });
    const result = await client.trade({ account, counterparty, give, take });
    return transactionOutput(
      ctx,
      client,
      `trade: ${account.publicKeyHex} gives ${give.map(describe).join(" + ") || "nothing"}, takes ${take.map(describe).join(" + ") || "nothing"} from ${counterparty.publicKeyHex}`,
      result,
      wait,
      {
        json: {
          account: account.publicKeyHex,
          counterparty: counterparty.publicKeyHex,
          give: give.map(assetJson),
          take: take.map(assetJson),
        },
      },
    );
  },
};
