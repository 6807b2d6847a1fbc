/**
 * Applies one transaction or deposit to the block overlay. Every check runs in
 * TxStatus order; a rejection rolls the overlay back to where it was, so a
 * rejected entry changes nothing and pays nothing.
 */
import { equalBytes, toHex } from "../bytes.ts";
import { CodecError } from "../codec/index.ts";
import { TxStatus } from "./codes.ts";
import { effectiveGasPrice, splitFee } from "./gas.ts";
import type { Ledger } from "./ledger.ts";
import { GAS, TOKEN_DECIMALS_MAX, TX_BYTES_MAX, U128_MAX } from "./limits.ts";
import {
  collectionIdOf,
  depositMarkerCodec,
  idempotencyCodec,
  type ItemRecord,
  itemIdOf,
  keys,
  type LaneParams,
  type LaneRecord,
  NATIVE_ASSET,
  tokenCodec,
  tokenIdOf,
  withdrawalCodec,
} from "./records.ts";
import {
  type BlockHeader,
  type Deposit,
  decodeSignedTx,
  depositHash,
  type Receipt,
  requiredSigners,
  type SignedTx,
  type TradeAsset,
  type TxBody,
  type TxPayload,
  txHash,
} from "./tx.ts";

export type BlockContext = {
  ledger: Ledger;
  header: BlockHeader;
  params: LaneParams;
  /** Running lane record: fee totals and the withdrawal counter change as txs apply. */
  lane: LaneRecord;
  gasUsed: bigint;
};

/**
 * What a caller (the lane executor's verify step) already derived from a
 * transaction's exact bytes: its hash and its decoding, null if the bytes
 * did not decode. Passing it saves decoding and hashing the transaction a
 * second time; it must be of exactly those bytes (the result is then the
 * same as without it).
 */
export type DecodedTx = { readonly hash: Uint8Array; readonly decoded: SignedTx | null };

type PayloadOf<T extends TxPayload["type"]> = Extract<TxPayload, { type: T }>;

const TOKEN_SYMBOL = /^[A-Z0-9]{1,16}$/;

export function applyTx(
  ctx: BlockContext,
  txBytes: Uint8Array,
  sigValid: boolean,
  index: number,
  known?: DecodedTx,
): Receipt {
  const hash = known ? known.hash : txHash(txBytes);
  const reject = (status: TxStatus): Receipt => ({ hash, index, status, gasUsed: 0n, feePaid: 0n });
  const { ledger, header, params } = ctx;

  if (txBytes.length > TX_BYTES_MAX) return reject(TxStatus.Malformed);
  let tx: SignedTx;
  if (known) {
    if (known.decoded === null) return reject(TxStatus.Malformed);
    tx = known.decoded;
  } else {
    try {
      tx = decodeSignedTx(txBytes);
    } catch (error) {
      if (error instanceof CodecError) return reject(TxStatus.Malformed);
      throw error;
    }
  }
  const { body } = tx;
  if (body.chainId !== header.chainId) return reject(TxStatus.ChainMismatch);
  if (body.lane !== header.lane) return reject(TxStatus.LaneMismatch);
  if (tx.signatures.length !== requiredSigners(body).length) return reject(TxStatus.SignatureCountMismatch);
  if (!sigValid) return reject(TxStatus.SignatureInvalid);
  const nonce = ledger.nonce(body.sender);
  if (body.nonce < nonce) return reject(TxStatus.NonceTooLow);
  if (body.nonce > nonce) return reject(TxStatus.NonceTooHigh);
  const idempotencyKey = body.idempotencyKey ? keys.idempotency(body.sender, body.idempotencyKey) : null;
  if (idempotencyKey && ledger.state.get(idempotencyKey) !== undefined)
    return reject(TxStatus.IdempotencyKeyReused);
  if (body.tipPerGas > body.maxFeePerGas) return reject(TxStatus.TipExceedsFeeCap);
  if (body.maxFeePerGas < header.baseFeePerGas) return reject(TxStatus.FeeCapBelowBaseFee);
  const gas = gasOf(ledger, body);
  if (ctx.gasUsed + gas > params.gasLimitPerBlock) return reject(TxStatus.BlockGasLimitReached);
  const fee = gas * effectiveGasPrice(header.baseFeePerGas, body.maxFeePerGas, body.tipPerGas);
  if (ledger.balance(body.sender, NATIVE_ASSET) < fee) return reject(TxStatus.FeeUnpayable);

  const mark = ledger.mark();
  const laneBefore = ctx.lane;
  ctx.lane = { ...laneBefore };
  ledger.debit(body.sender, NATIVE_ASSET, fee);
  let status = applyPayload(ctx, body);
  if (status === TxStatus.Ok) status = payFee(ctx, fee);
  if (status !== TxStatus.Ok) {
    ledger.rollback(mark);
    ctx.lane = laneBefore;
    return reject(status);
  }
  ledger.setNonce(body.sender, nonce + 1n);
  if (idempotencyKey) ledger.write(idempotencyCodec, idempotencyKey, { txHash: hash });
  ctx.gasUsed += gas;
  return { hash, index, status: TxStatus.Ok, gasUsed: gas, feePaid: fee };
}

/** Credits a deposit from settlement, at most once per depositId. Deposits use no gas. */
export function applyDeposit(ctx: BlockContext, deposit: Deposit, index: number): Receipt {
  const hash = depositHash(deposit);
  const reject = (status: TxStatus): Receipt => ({ hash, index, status, gasUsed: 0n, feePaid: 0n });
  const { ledger } = ctx;
  const markerKey = keys.deposit(deposit.depositId);
  if (ledger.state.get(markerKey) !== undefined) return reject(TxStatus.DepositAlreadyCredited);
  if (deposit.amount === 0n) return reject(TxStatus.AmountZero);
  if (!isNative(deposit.asset) && !ledger.token(deposit.asset)) return reject(TxStatus.TokenUnknown);
  const mark = ledger.mark();
  if (
    !ledger.credit(deposit.recipient, deposit.asset, deposit.amount) ||
    !ledger.addSupply(deposit.asset, "deposited", deposit.amount)
  ) {
    ledger.rollback(mark);
    return reject(TxStatus.AmountOverflow);
  }
  ledger.write(depositMarkerCodec, markerKey, { height: ctx.header.height });
  return { hash, index, status: TxStatus.Ok, gasUsed: 0n, feePaid: 0n };
}

/** Fixed gas per type (limits.ts GAS); a retried identical item mint costs only mintItemRetry. */
export function gasOf(ledger: Ledger, body: TxBody): bigint {
  const p = body.payload;
  switch (p.type) {
    case "transfer":
      return GAS.transfer;
    case "createToken":
      return GAS.createToken;
    case "mintToken":
      return GAS.mintToken;
    case "transferToken":
      return GAS.transferToken;
    case "mintItem": {
      const existing = ledger.item(itemIdOf(body.sender, p.referenceId));
      return existing && isSameMint(existing, p) ? GAS.mintItemRetry : GAS.mintItem;
    }
    case "transferItem":
      return GAS.transferItem;
    case "burnItem":
      return GAS.burnItem;
    case "trade":
      return GAS.trade + GAS.tradePerAsset * BigInt(p.give.length + p.take.length);
    case "withdraw":
      return GAS.withdraw;
  }
}

function payFee(ctx: BlockContext, fee: bigint): TxStatus {
  const { ledger, params, header } = ctx;
  const split = splitFee(fee, params);
  const lane = ctx.lane;
  lane.feesSequencerTotal += split.sequencer;
  lane.feesValidatorsTotal += split.validators;
  lane.feesTreasuryTotal += split.treasury;
  const countersFit =
    lane.feesSequencerTotal <= U128_MAX &&
    lane.feesValidatorsTotal <= U128_MAX &&
    lane.feesTreasuryTotal <= U128_MAX;
  // Deferred: the three fee balances are written once, at the end of the block (Ledger.flushDeferredCredits).
  const credited =
    ledger.creditDeferred(header.sequencer, split.sequencer) &&
    ledger.creditDeferred(params.validatorsAccount, split.validators) &&
    ledger.creditDeferred(params.treasuryAccount, split.treasury);
  return countersFit && credited ? TxStatus.Ok : TxStatus.AmountOverflow;
}

function applyPayload(ctx: BlockContext, body: TxBody): TxStatus {
  const p = body.payload;
  switch (p.type) {
    case "transfer":
      return applyTransfer(ctx.ledger, body.sender, p.to, NATIVE_ASSET, p.amount);
    case "createToken":
      return applyCreateToken(ctx.ledger, body.sender, p);
    case "mintToken":
      return applyMintToken(ctx.ledger, body.sender, p);
    case "transferToken":
      if (p.amount === 0n) return TxStatus.AmountZero;
      if (!ctx.ledger.token(p.tokenId)) return TxStatus.TokenUnknown;
      return applyTransfer(ctx.ledger, body.sender, p.to, p.tokenId, p.amount);
    case "mintItem":
      return applyMintItem(ctx.ledger, body.sender, p);
    case "transferItem":
    case "burnItem":
      return applyItemChange(ctx.ledger, body.sender, p);
    case "trade":
      return applyTrade(ctx.ledger, body.sender, p);
    case "withdraw":
      return applyWithdraw(ctx, body.sender, p);
  }
}

function applyTransfer(
  ledger: Ledger,
  from: Uint8Array,
  to: Uint8Array,
  asset: Uint8Array,
  amount: bigint,
): TxStatus {
  if (amount === 0n) return TxStatus.AmountZero;
  if (!ledger.debit(from, asset, amount)) return TxStatus.BalanceInsufficient;
  if (!ledger.credit(to, asset, amount)) return TxStatus.AmountOverflow;
  return TxStatus.Ok;
}

function applyCreateToken(ledger: Ledger, issuer: Uint8Array, p: PayloadOf<"createToken">): TxStatus {
  if (p.supplyMax === 0n) return TxStatus.AmountZero;
  if (!TOKEN_SYMBOL.test(p.symbol)) return TxStatus.TokenSymbolInvalid;
  if (p.decimals > TOKEN_DECIMALS_MAX) return TxStatus.TokenDecimalsInvalid;
  const tokenId = tokenIdOf(issuer, p.symbol);
  if (ledger.token(tokenId)) return TxStatus.TokenExists;
  ledger.write(tokenCodec, keys.token(tokenId), {
    issuer,
    symbol: p.symbol,
    decimals: p.decimals,
    supplyMax: p.supplyMax,
  });
  ledger.addSupply(tokenId, "minted", 0n);
  return TxStatus.Ok;
}

function applyMintToken(ledger: Ledger, sender: Uint8Array, p: PayloadOf<"mintToken">): TxStatus {
  if (p.amount === 0n) return TxStatus.AmountZero;
  const token = ledger.token(p.tokenId);
  if (!token) return TxStatus.TokenUnknown;
  if (!equalBytes(token.issuer, sender)) return TxStatus.NotTokenIssuer;
  if (ledger.supply(p.tokenId).minted + p.amount > token.supplyMax) return TxStatus.TokenSupplyMaxExceeded;
  if (!ledger.credit(p.to, p.tokenId, p.amount)) return TxStatus.AmountOverflow;
  ledger.addSupply(p.tokenId, "minted", p.amount);
  return TxStatus.Ok;
}

function isSameMint(item: ItemRecord, p: PayloadOf<"mintItem">): boolean {
  return equalBytes(item.mintedTo, p.owner) && equalBytes(item.metadata, p.metadata);
}

/**
 * Minting is keyed by (game, referenceId). A retry with identical content
 * succeeds as a no-op (the nonce is consumed and only mintItemRetry gas is
 * charged); different content under the same key is a conflict.
 */
function applyMintItem(ledger: Ledger, game: Uint8Array, p: PayloadOf<"mintItem">): TxStatus {
  const itemId = itemIdOf(game, p.referenceId);
  const existing = ledger.item(itemId);
  if (existing) {
    if (!isSameMint(existing, p)) return TxStatus.ItemReferenceConflict;
    if (existing.burned) return TxStatus.ItemBurned;
    return TxStatus.Ok;
  }
  if (!ledger.addSupply(collectionIdOf(game), "minted", 1n)) return TxStatus.AmountOverflow;
  ledger.setItem(itemId, {
    game,
    referenceId: p.referenceId,
    mintedTo: p.owner,
    owner: p.owner,
    metadata: p.metadata,
    burned: false,
  });
  return TxStatus.Ok;
}

function checkItemOwner(item: ItemRecord | undefined, owner: Uint8Array): TxStatus {
  if (!item) return TxStatus.ItemUnknown;
  if (item.burned) return TxStatus.ItemBurned;
  if (!equalBytes(item.owner, owner)) return TxStatus.NotItemOwner;
  return TxStatus.Ok;
}

function applyItemChange(
  ledger: Ledger,
  sender: Uint8Array,
  p: PayloadOf<"transferItem"> | PayloadOf<"burnItem">,
): TxStatus {
  const item = ledger.item(p.itemId);
  const status = checkItemOwner(item, sender);
  if (status !== TxStatus.Ok || !item) return status;
  if (p.type === "transferItem") {
    ledger.setItem(p.itemId, { ...item, owner: p.to });
  } else {
    if (!ledger.addSupply(collectionIdOf(item.game), "burned", 1n)) return TxStatus.AmountOverflow;
    ledger.setItem(p.itemId, { ...item, burned: true });
  }
  return TxStatus.Ok;
}

function assetKey(a: TradeAsset): string {
  return a.type === "native" ? "native" : a.type === "token" ? `t${toHex(a.tokenId)}` : `i${toHex(a.itemId)}`;
}

/**
 * Moves every asset of `give` from sender to counterparty and of `take` back,
 * or nothing. Each asset may appear once in the whole trade, so the order of
 * the moves cannot change the outcome.
 */
function applyTrade(ledger: Ledger, sender: Uint8Array, p: PayloadOf<"trade">): TxStatus {
  const legs = [
    ...p.give.map((asset) => ({ asset, from: sender, to: p.counterparty })),
    ...p.take.map((asset) => ({ asset, from: p.counterparty, to: sender })),
  ];
  for (const { asset } of legs) if (asset.type !== "item" && asset.amount === 0n) return TxStatus.AmountZero;
  if (equalBytes(sender, p.counterparty)) return TxStatus.SelfCounterparty;
  if (legs.length === 0) return TxStatus.TradeEmpty;
  const seen = new Set<string>();
  for (const { asset } of legs) {
    const k = assetKey(asset);
    if (seen.has(k)) return TxStatus.TradeAssetDuplicate;
    seen.add(k);
  }
  for (const { asset } of legs)
    if (asset.type === "token" && !ledger.token(asset.tokenId)) return TxStatus.TokenUnknown;
  const items: (ItemRecord | undefined)[] = legs.map(({ asset }) =>
    asset.type === "item" ? ledger.item(asset.itemId) : undefined,
  );
  for (const check of [TxStatus.ItemUnknown, TxStatus.ItemBurned, TxStatus.NotItemOwner] as const) {
    for (let i = 0; i < legs.length; i++) {
      const leg = legs[i]!;
      if (leg.asset.type !== "item") continue;
      if (checkItemOwner(items[i], leg.from) === check) return check;
    }
  }
  for (const [i, { asset, from, to }] of legs.entries()) {
    if (asset.type === "item") {
      ledger.setItem(asset.itemId, { ...items[i]!, owner: to });
      continue;
    }
    const assetId = asset.type === "native" ? NATIVE_ASSET : asset.tokenId;
    if (!ledger.debit(from, assetId, asset.amount)) return TxStatus.BalanceInsufficient;
  }
  for (const { asset, to } of legs) {
    if (asset.type === "item") continue;
    const assetId = asset.type === "native" ? NATIVE_ASSET : asset.tokenId;
    if (!ledger.credit(to, assetId, asset.amount)) return TxStatus.AmountOverflow;
  }
  return TxStatus.Ok;
}

/** Burns on the lane and writes a withdrawal leaf that settlement pays out against a final root. */
function applyWithdraw(ctx: BlockContext, sender: Uint8Array, p: PayloadOf<"withdraw">): TxStatus {
  const { ledger } = ctx;
  if (p.amount === 0n) return TxStatus.AmountZero;
  if (!isNative(p.asset) && !ledger.token(p.asset)) return TxStatus.TokenUnknown;
  if (!ledger.debit(sender, p.asset, p.amount)) return TxStatus.BalanceInsufficient;
  if (!ledger.addSupply(p.asset, "withdrawn", p.amount)) return TxStatus.AmountOverflow;
  const id = ctx.lane.withdrawalCount;
  ledger.write(withdrawalCodec, keys.withdrawal(id), {
    id,
    lane: ctx.header.lane,
    recipient: p.recipient,
    asset: p.asset,
    amount: p.amount,
    height: ctx.header.height,
  });
  ctx.lane.withdrawalCount = id + 1n;
  return TxStatus.Ok;
}

function isNative(asset: Uint8Array): boolean {
  return equalBytes(asset, NATIVE_ASSET);
}
