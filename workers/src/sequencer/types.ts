/** What the Sequencer's RPC methods return: plain JSON-ready values (hex strings, decimal strings). */
export type { FinalityStatus, ReceiptView } from "../../../shared/sdk/receipt-view.ts";
import type { ReceiptView } from "../../../shared/sdk/receipt-view.ts";

export type TxOutcome =
  | { index: number; status: "included"; duplicate: boolean; receipt: ReceiptView }
  | { index: number; status: "rejected"; code: number; reason: string; txHash: string };

export type SubmitResult =
  | { ok: true; results: TxOutcome[] }
  | { ok: false; error: { code: "lane_busy"; message: string; retryAfterSeconds: number } };

export type ProvenRead<T> = {
  stateRoot: string;
  height: string;
  value: T;
  /** shared/smt encodeSmtMultiproof, hex, of `keys` against stateRoot. */
  proof: string;
  entries: { key: string; value: string | null }[];
};

/** What the time-control methods answer (routes/dev-controls.ts; dev only). */
export type DevLaneState = {
  lane: number;
  /** How far the lane's clock runs ahead of the wall clock. */
  clockOffsetMs: number;
  laneTimeMs: number;
  height: string;
  pendingBlocks: number;
  lastCheckpoint: { index: number; status: string } | null;
};
