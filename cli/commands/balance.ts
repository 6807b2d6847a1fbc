/**
 * `bitlayer balance [ADDRESS]`: an account's balance and nonce on the lane
 * (from the edge) and on settlement (from the validators). ADDRESS is a
 * lane address (64-hex public key), @N for a devnet account, or a settlement
 * address (bl…, settlement only); default the --key account.
 */
import { toHex } from "../../shared/bytes.ts";
import { addressFromPublicKey, formatAddress, parseAddress } from "../../shared/crypto/index.ts";
import { table } from "../args.ts";
import type { Command } from "../command.ts";
import { RemoteError, UsageError } from "../errors.ts";
import { getFromAny, getJson } from "../http.ts";

type LaneAccount = { stateRoot: string; height: string; value: { nonce: string; balance: string } };
type SettlementAccount = { address: string; balance: string; nonce: string };

export const balance: Command = {
  name: "balance",
  summary: "balance [ADDRESS]: balance and nonce on the lane and on settlement",
  usage: `bitlayer balance [ADDRESS]
  ADDRESS  a lane address (64-hex public key), @N (devnet account N) or a settlement address (bl…);
           default: the --key account`,
  options: {},
  positionalsMax: 1,
  async run({ config, positionals }) {
    const [text] = positionals;
    let publicKey: Uint8Array | undefined;
    let address: string;
    if (text === undefined) {
      const account = config.account();
      publicKey = account.publicKey;
      address = account.address;
    } else if (text.startsWith("bl")) {
      try {
        address = formatAddress(parseAddress(text));
      } catch {
        throw new UsageError(
          `ADDRESS: "${text}" is not a settlement address (bl + 40 hex digits).`,
          "ADDRESS",
        );
      }
    } else {
      publicKey = config.resolveLaneAddress(text, "ADDRESS");
      address = formatAddress(addressFromPublicKey(publicKey));
    }
    const lane = config.lane();
    const [onLane, onSettlement] = await Promise.all([
      publicKey === undefined
        ? undefined
        : getJson<LaneAccount>(`${config.edgeUrl()}/v1/lanes/${lane}/accounts/${toHex(publicKey)}`),
      getFromAny<SettlementAccount>(config.settlementUrls(), `/v1/accounts/${address}`).catch((error) => {
        // Settlement answers 404 for an account that never held funds: that is a zero balance.
        if (error instanceof RemoteError && error.status === 404)
          return { address, balance: "0", nonce: "0" };
        throw error;
      }),
    ]);
    const json = {
      publicKey: publicKey === undefined ? null : toHex(publicKey),
      address,
      lane:
        onLane === undefined
          ? null
          : {
              lane,
              balance: onLane.value.balance,
              nonce: onLane.value.nonce,
              height: onLane.height,
              stateRoot: onLane.stateRoot,
            },
      settlement: { balance: onSettlement.balance, nonce: onSettlement.nonce },
    };
    const rows: [string, string][] = [];
    if (publicKey !== undefined) rows.push(["public key", toHex(publicKey)]);
    rows.push(["address", address]);
    if (json.lane)
      rows.push([
        `lane ${lane}`,
        `balance ${json.lane.balance}  nonce ${json.lane.nonce}  (lane height ${json.lane.height})`,
      ]);
    rows.push(["settlement", `balance ${json.settlement.balance}  nonce ${json.settlement.nonce}`]);
    return { json, text: table(rows) };
  },
};
