import type { BitlayerClientBase } from "../client.ts";
import type { HttpRequestErrorType } from "../errors.ts";
import { edgeRequest } from "../request.ts";
import type { LaneStatus } from "../types.ts";

export type GetLaneStatusReturnType = LaneStatus;
export type GetLaneStatusErrorType = HttpRequestErrorType;

/**
 * The lane's head as the edge reports it: height, state root, sequencer key,
 * base fee, blocks waiting for a checkpoint.
 *
 * @example
 * const { height, baseFeePerGas } = await client.getLaneStatus();
 */
export function getLaneStatus(client: BitlayerClientBase): Promise<GetLaneStatusReturnType> {
  return edgeRequest<LaneStatus>(client, `/v1/lanes/${client.lane}/status`);
}
