/** Typed API errors; one onError (index.ts) maps each to its HTTP status. */
import { BitlayerError } from "../../shared/errors.ts";

export class ApiError extends BitlayerError {
  override name = "ApiError";
  readonly status: 400 | 404 | 413 | 429 | 503;
  readonly code: string;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  constructor(
    status: ApiError["status"],
    code: string,
    message: string,
    extra: { field?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message, { docsPath: "api-edge.md" });
    this.status = status;
    this.code = code;
    this.field = extra.field;
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }
}
export type ApiErrorType = ApiError & { name: "ApiError" };

export const badRequest = (code: string, message: string, field?: string) =>
  new ApiError(400, code, message, field === undefined ? {} : { field });
export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found.`);
