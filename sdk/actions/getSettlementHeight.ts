import type { BitlayerClientBase } from "../client.ts";
import type { SettlementUnavailableErrorType } from "../errors.ts";
import { settlementRequest } from "../request.ts";

export type GetSettlementHeightReturnType = bigint;
export type GetSettlementHeightErrorType = SettlementUnavailableErrorType;

/**
 * The last committed settlement height of the first validator that answers.
 *
 * @example
 * const height = await client.getSettlementHeight();
 */
export async function getSettlementHeight(
  client: BitlayerClientBase,
): Promise<GetSettlementHeightReturnType> {
  const s = await settlementRequest<{ height: string }>(client, "/v1/status");
  return BigInt(s.height);
}
