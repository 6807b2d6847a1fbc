/**
 * `bitlayer mint --item REF [--to ADDRESS] [--metadata TEXT]`: a game item,
 * the --key account being its game; `bitlayer mint --token SYMBOL --amount N`:
 * units of the --key account's token SYMBOL, created first (with
 * --decimals and --supply-max) when it does not exist yet.
 */
import { toHex } from "../../shared/bytes.ts";
import { tokenIdOf } from "../../sdk/index.ts";
import { parseAmount, str } from "../args.ts";
import { clientOf, transactionOutput, WAIT_OPTIONS, WAIT_USAGE, waitOptionsOf } from "../client.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";

const SYMBOL = /^[A-Z0-9]{1,12}$/;

export const mint: Command = {
  name: "mint",
  summary: "mint --item REF | --token SYMBOL --amount N: mint a game item or tokens",
  usage: `bitlayer mint --item REF [--to ADDRESS] [--metadata TEXT] [--wait STATUS]
bitlayer mint --token SYMBOL --amount N [--to ADDRESS] [--decimals D] [--supply-max N] [--wait STATUS]
  --item REF        the game's id for the item (text, ≤ 64 bytes); the item id is derived from it and --key
  --token SYMBOL    1-12 of A-Z 0-9; the --key account's token, created if it does not exist
  --decimals D      for a new token (default 0)    --supply-max N   for a new token (default 10^18)
  --to ADDRESS      owner / recipient: a lane address or @N (default: the --key account)
${WAIT_USAGE}`,
  options: {
    item: { type: "string" },
    token: { type: "string" },
    amount: { type: "string" },
    to: { type: "string" },
    metadata: { type: "string" },
    decimals: { type: "string" },
    "supply-max": { type: "string" },
    ...WAIT_OPTIONS,
  },
  positionalsMax: 0,
  async run(ctx) {
    const { config, values } = ctx;
    const item = str(values, "item");
    const symbol = str(values, "token");
    if ((item === undefined) === (symbol === undefined))
      throw new UsageError("mint needs exactly one of --item REF or --token SYMBOL.", "--item");
    const wait = waitOptionsOf(ctx);
    const toText = str(values, "to");
    if (item !== undefined) {
      if (new TextEncoder().encode(item).length > 64 || item.length === 0)
        throw new UsageError("--item: the reference is 1 to 64 bytes of text.", "--item");
      const metadata = str(values, "metadata") ?? "";
      if (new TextEncoder().encode(metadata).length > 1024)
        throw new UsageError("--metadata: at most 1024 bytes.", "--metadata");
      const account = config.account();
      const owner = toText === undefined ? account.publicKey : config.resolveLaneAddress(toText, "--to");
      const client = clientOf(config, { settlement: wait.status !== undefined });
      const result = await client.mintItem({ account, referenceId: item, owner, metadata });
      return transactionOutput(ctx, client, `mint item "${item}" to ${toHex(owner)}`, result, wait, {
        json: { itemId: result.itemId, referenceId: item, owner: toHex(owner), game: account.publicKeyHex },
        rows: [["item id", result.itemId]],
      });
    }
    if (!SYMBOL.test(symbol!))
      throw new UsageError(`--token: "${symbol}" is not 1-12 of A-Z and 0-9.`, "--token");
    const amount = parseAmount(str(values, "amount"), "--amount");
    const decimalsText = str(values, "decimals") ?? "0";
    if (!/^[0-9]{1,2}$/.test(decimalsText) || Number(decimalsText) > 38)
      throw new UsageError(`--decimals: "${decimalsText}" is not a number from 0 to 38.`, "--decimals");
    const supplyMax =
      str(values, "supply-max") === undefined
        ? 10n ** 18n
        : parseAmount(str(values, "supply-max"), "--supply-max");
    const account = config.account();
    const to = toText === undefined ? account.publicKey : config.resolveLaneAddress(toText, "--to");
    const client = clientOf(config, { settlement: wait.status !== undefined });
    const tokenId = toHex(tokenIdOf(account.publicKey, symbol!));
    const { token } = await client.getTokenBalance({ address: account, tokenId });
    let created: string | null = null;
    if (token === null) {
      const c = await client.createToken({
        account,
        symbol: symbol!,
        decimals: Number(decimalsText),
        supplyMax,
      });
      created = c.hash;
      ctx.progress(`created token ${symbol} (id ${tokenId}) in tx ${c.hash}`);
    }
    const result = await client.mintToken({ account, tokenId, to, amount });
    return transactionOutput(ctx, client, `mint ${amount} ${symbol} to ${toHex(to)}`, result, wait, {
      json: { tokenId, symbol, to: toHex(to), amount: amount.toString(), createdInTx: created },
      rows: [["token id", tokenId]],
    });
  },
};
