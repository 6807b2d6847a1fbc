/**
 * Base of every typed error Bitlayer throws. Modelled on viem's BaseError:
 * a one-line `shortMessage` for UIs, `details` for humans debugging, an
 * optional `cause`, and a `docsPath` into docs/.
 */
export type BitlayerErrorOptions = {
  details?: string;
  cause?: unknown;
  docsPath?: string;
  metaMessages?: string[];
};

export class BitlayerError extends Error {
  override name = "BitlayerError";
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly docsPath: string | undefined;

  constructor(shortMessage: string, options: BitlayerErrorOptions = {}) {
    const lines = [shortMessage];
    if (options.metaMessages) lines.push("", ...options.metaMessages);
    if (options.details) lines.push("", `Details: ${options.details}`);
    if (options.docsPath) lines.push(`Docs: docs/${options.docsPath}`);
    super(lines.join("\n"), options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.docsPath = options.docsPath;
  }
}
