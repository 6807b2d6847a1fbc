import type { BitlayerClientBase } from "../client.ts";
import type { SettlementUnavailableErrorType } from "../errors.ts";
import { settlementRequest } from "../request.ts";
import type { SettlementValidator } from "../types.ts";

export type GetValidatorsReturnType = { height: bigint; validators: SettlementValidator[] };
export type GetValidatorsErrorType = SettlementUnavailableErrorType;

/**
 * Settlement's validator set as one validator reports it (stake, voting
 * power, status). A light client should take this from a source it trusts
 * (its own earlier verified view, or several validators that agree).
 *
 * @example
 * const { validators } = await client.getValidators();
 */
export async function getValidators(client: BitlayerClientBase): Promise<GetValidatorsReturnType> {
  const r = await settlementRequest<{ height: string; validators: SettlementValidator[] }>(
    client,
    "/v1/validators",
  );
  return { height: BigInt(r.height), validators: r.validators };
}
