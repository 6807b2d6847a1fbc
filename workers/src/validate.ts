/**
 * Request validation shared by every route module: a zod schema in, the
 * parsed value out, or an ApiError 400 whose `field` names the offending
 * input (a path or query parameter, a header, `body`, or a dotted path into
 * the body such as `txs.3`). Route modules under routes/ use these too, so
 * every route reports bad input the same way (worker-bad-input.test.ts).
 */
import type { Context } from "hono";
import type { z } from "zod";
import { badRequest } from "./errors.ts";
import { hex32 } from "./schemas.ts";

/** Parses `value` or throws a 400 naming the offending field (`name` for the value itself, else its path). */
export function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  code: string,
  name: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String);
  // An unknown key is reported at its parent; name the key itself.
  if (issue.code === "unrecognized_keys") path.push(issue.keys[0]!);
  const field = path.length > 0 ? path.join(".") : name;
  throw badRequest(code, `${field}: ${issue.message}.`, field);
}

/** The JSON body parsed by `schema`: 400 invalid_json (field `body`) or invalid_body (field = its path). */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw badRequest("invalid_json", "Request body is not valid JSON.", "body");
  }
  return parse(schema, json, "invalid_body", "body");
}

/** The query string parsed by a (strict) object schema: 400 invalid_query naming the parameter. */
export function queryOf<T extends z.ZodType>(c: Context, schema: T): z.output<T> {
  return parse(schema, c.req.query(), "invalid_query", "query");
}

/** A 32-byte hex path parameter, lowercase without 0x. */
export function hexParam(raw: string | undefined, code: string, field: string): string {
  const s = parse(hex32, raw ?? "", code, field);
  return (s.startsWith("0x") ? s.slice(2) : s).toLowerCase();
}
