/** Typed errors of the watcher (settlement-node/watcher): its files, and the settlement API it reads. */
import { BitlayerError } from "../../shared/errors.ts";

/** A lane genesis file or a command-line value the watcher cannot use; `field` names what is wrong. */
export type WatcherConfigErrorType = WatcherConfigError;
export class WatcherConfigError extends BitlayerError {
  override name = "WatcherConfigError" as const;
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`, { docsPath: "devnet.md#watcher" });
    this.field = field;
  }
}

/** No settlement URL answered (network error, timeout, 5xx or 429 from each). */
export type SettlementUnavailableErrorType = SettlementUnavailableError;
export class SettlementUnavailableError extends BitlayerError {
  override name = "SettlementUnavailableError" as const;
  constructor(route: string, failures: readonly string[]) {
    super(`No settlement validator answered GET ${route}.`, { metaMessages: [...failures] });
  }
}

/** A validator answered 404 (e.g. a lane not opened yet, or a checkpoint this validator has not committed). */
export type SettlementNotFoundErrorType = SettlementNotFoundError;
export class SettlementNotFoundError extends BitlayerError {
  override name = "SettlementNotFoundError" as const;
  /** The API's error code, e.g. "lane_not_found". */
  readonly code: string;
  constructor(route: string, code: string) {
    super(`GET ${route}: ${code}.`);
    this.code = code;
  }
}

/** A validator answered something the settlement API never should (another 4xx, or a body off its schema). */
export type SettlementResponseErrorType = SettlementResponseError;
export class SettlementResponseError extends BitlayerError {
  override name = "SettlementResponseError" as const;
  constructor(route: string, problem: string) {
    super(`GET ${route}: ${problem}`, { docsPath: "api/settlement.md" });
  }
}
