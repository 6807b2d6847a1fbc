/**
 * What the ledger reports besides receipts, for indexers, the explorer and
 * webhooks. Events are derived data: they are not part of the app hash.
 */
export type LedgerEvent =
  | { type: "transfer"; from: Uint8Array; to: Uint8Array; amount: bigint }
  | { type: "bonded"; publicKey: Uint8Array; amount: bigint; stake: bigint }
  | { type: "unbonding"; publicKey: Uint8Array; amount: bigint; maturesAtHeight: bigint }
  | { type: "unbondedWithdrawn"; publicKey: Uint8Array; amount: bigint }
  | {
      type: "validatorSlashed";
      publicKey: Uint8Array;
      amount: bigint;
      burned: bigint;
      reporterReward: bigint;
    }
  | { type: "validatorJailed"; publicKey: Uint8Array; untilHeight: bigint }
  | { type: "validatorUnjailed"; publicKey: Uint8Array }
  | { type: "maintenanceAnnounced"; publicKey: Uint8Array; fromHeight: bigint; toHeight: bigint }
  | {
      type: "laneOpened";
      lane: number;
      sequencer: Uint8Array;
      bond: bigint;
      genesisEscrow: bigint;
      challengeWindowBlocks: bigint;
    }
  | {
      type: "deposit";
      lane: number;
      id: bigint;
      laneDepositId: Uint8Array;
      recipient: Uint8Array;
      amount: bigint;
    }
  | { type: "checkpointed"; lane: number; index: bigint; newRoot: Uint8Array; finalHeight: bigint }
  | { type: "forcedTx"; lane: number; id: bigint; txHash: Uint8Array; deadlineHeight: bigint }
  | { type: "laneFrozen"; lane: number; forcedId: bigint; height: bigint }
  | { type: "withdrawalPaid"; lane: number; id: bigint; recipient: Uint8Array; amount: bigint }
  | {
      type: "rewardsPaid";
      height: bigint;
      minted: bigint;
      feesTotal: bigint;
      toValidators: bigint;
      toTreasury: bigint;
    };
