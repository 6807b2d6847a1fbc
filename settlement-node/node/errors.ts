import { BitlayerError } from "../../shared/errors.ts";

export type NodeFatalErrorType = NodeFatalError;
/** The node's storage or ledger disagree with what consensus decided: stop rather than guess. */
export class NodeFatalError extends BitlayerError {
  override name = "NodeFatalError" as const;
  constructor(shortMessage: string, details?: string) {
    super(shortMessage, {
      details,
      docsPath: "operations-settlement.md#what-happens-on-each-input-and-on-a-crash",
    });
  }
}
