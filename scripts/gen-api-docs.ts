/**
 * Generates the HTTP API reference (docs/api/edge.md, docs/api/settlement.md,
 * docs/api/watcher.md)
 * from the OpenAPI documents the services serve at GET /v1/openapi.json: the
 * edge's (workers/src/openapi.ts), a validator's
 * (settlement-node/api/openapi.ts) and the watcher's
 * (settlement-node/watcher/api.ts). The documents are the source of truth;
 * this page is only their readable form, so it is generated, never edited.
 *
 *   node_modules/.bin/node scripts/gen-api-docs.ts           # rewrite docs/api/*.md
 *   node_modules/.bin/node scripts/gen-api-docs.ts --check   # exit 1 if they are stale
 *
 * test/node/api-docs-uptodate.test.ts runs the check, so a route that changes
 * without regenerating fails the suite.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { openApiDocument as settlementDocument } from "../settlement-node/api/openapi.ts";
import { watcherOpenApiDocument } from "../settlement-node/watcher/api.ts";
import { openApiDocument as edgeDocument } from "../workers/src/openapi.ts";

/** The subset of JSON Schema (2020-12, as zod's toJSONSchema writes it) the reference renders. */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  additionalProperties?: boolean | JsonSchema;
};

type Parameter = { name: string; in: string; required?: boolean; schema?: JsonSchema; description?: string };
type Media = { schema?: JsonSchema };
type Operation = {
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, Media> };
  responses?: Record<string, { description?: string; content?: Record<string, Media> }>;
};
export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Partial<Record<string, Operation>>>;
};

export type ApiReference = {
  /** Path of the generated page, relative to the repository root. */
  file: string;
  /** Where the document is served and where it is defined, for the page's header. */
  servedBy: string;
  source: string;
  /** Hand-written overview the page links to. */
  overview: string;
  document: OpenApiDocument;
};

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
// zod writes ±2^53-1 as the bounds of every JS integer: noise, not a constraint of the API.
const SAFE = Number.MAX_SAFE_INTEGER;

const cell = (text: string): string => text.replaceAll("|", "\\|").replaceAll("\n", " ");
const code = (text: string): string => `\`${text.replaceAll("`", "'")}\``;

/** One word for a schema's type: `string`, `object`, `string[]`, `object \| null`, a const … */
export function typeName(schema: JsonSchema): string {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.map(typeName).join(" or ");
  if (schema.const !== undefined) return code(JSON.stringify(schema.const));
  if (schema.enum) return schema.enum.map((v) => code(JSON.stringify(v))).join(", ");
  if (schema.type === "array") return `${schema.items ? typeName(schema.items) : "any"}[]`;
  if (Array.isArray(schema.type)) return schema.type.join(" or ");
  if (schema.type === "string" && schema.format) return `string (${schema.format})`;
  return schema.type ?? "any";
}

/** The constraints worth reading: description, pattern, bounds, default. */
export function notes(schema: JsonSchema): string {
  const parts: string[] = [];
  if (schema.description) parts.push(schema.description);
  // A described string ("decimal integer as a string") says what its pattern says, more readably.
  else if (schema.pattern) parts.push(`pattern ${code(schema.pattern)}`);
  const min = schema.minimum !== undefined && schema.minimum !== -SAFE ? schema.minimum : undefined;
  const max = schema.maximum !== undefined && schema.maximum !== SAFE ? schema.maximum : undefined;
  if (min !== undefined && max !== undefined) parts.push(`${min}..${max}`);
  else if (min !== undefined) parts.push(`≥ ${min}`);
  else if (max !== undefined) parts.push(`≤ ${max}`);
  if (schema.minLength !== undefined && schema.minLength > 0) parts.push(`length ≥ ${schema.minLength}`);
  if (schema.maxLength !== undefined) parts.push(`length ≤ ${schema.maxLength}`);
  if (schema.minItems !== undefined && schema.minItems > 0) parts.push(`≥ ${schema.minItems} items`);
  if (schema.maxItems !== undefined) parts.push(`≤ ${schema.maxItems} items`);
  if (schema.default !== undefined) parts.push(`default ${code(JSON.stringify(schema.default))}`);
  return parts.join("; ");
}

export type FieldRow = { name: string; type: string; required: boolean; notes: string };

/**
 * Flattens a schema into one row per field, nested names dotted
 * (`finality.next.status`, `txs[].hash`); alternatives of objects contribute
 * their fields under the same prefix.
 */
export function fieldRows(schema: JsonSchema, prefix = "", required = true): FieldRow[] {
  const rows: FieldRow[] = [];
  if (prefix !== "") rows.push({ name: prefix, type: typeName(schema), required, notes: notes(schema) });
  const shapes = [schema, ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  for (const object of shapes.filter((s) => s.properties)) {
    const req = new Set(object.required ?? []);
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      const full = prefix === "" ? name : `${prefix}.${name}`;
      rows.push(...fieldRows(property, full, req.has(name)));
    }
  }
  for (const array of shapes.filter((s) => s.type === "array" && s.items)) {
    const items = array.items!;
    // The fields of an array of objects read as `txs[].hash`; a `txs[]` row of its own would add nothing.
    // An array of plain strings or numbers is fully described by its `string[]` type.
    const itemRows = fieldRows(items, `${prefix}[]`, true);
    if (items.properties && !items.anyOf && !items.oneOf) rows.push(...itemRows.slice(1));
    else if (itemRows.length > 1) rows.push(...itemRows);
  }
  return rows;
}

function fieldTable(rows: FieldRow[]): string[] {
  if (rows.length === 0) return [];
  return [
    "| field | type | required | notes |",
    "|---|---|---|---|",
    ...rows.map(
      (r) => `| ${code(r.name)} | ${cell(r.type)} | ${r.required ? "yes" : "no"} | ${cell(r.notes)} |`,
    ),
  ];
}

/** Whether a schema is the shared error envelope `{ error: { code, message, field? } }`. */
function isErrorEnvelope(schema: JsonSchema | undefined): boolean {
  const keys = Object.keys(schema?.properties ?? {});
  return keys.length === 1 && keys[0] === "error";
}

/** A schema that is more than one field deserves a table; a bare string or binary does not. */
function renderBody(media: Record<string, Media>): string[] {
  const out: string[] = [];
  for (const [type, { schema }] of Object.entries(media)) {
    if (!schema) {
      out.push(`- ${code(type)}`);
      continue;
    }
    const alternatives = schema.properties ? undefined : (schema.oneOf ?? schema.anyOf);
    if (alternatives?.every((a) => a.properties)) {
      // One table per accepted shape: merged, their "required" columns would contradict each other.
      out.push(`- ${code(type)}: one of ${alternatives.length} shapes`, "");
      alternatives.forEach((alternative, i) => {
        out.push(`*Shape ${i + 1}:*`, "", ...fieldTable(fieldRows(alternative)), "");
      });
      continue;
    }
    const rows = fieldRows(schema);
    if (rows.length === 0) {
      out.push(`- ${code(type)}: ${typeName(schema)}${notes(schema) ? ` — ${notes(schema)}` : ""}`);
      continue;
    }
    out.push(`- ${code(type)}`, "", ...fieldTable(rows), "");
  }
  return out;
}

/** GitHub's anchor of the operation's heading (`### GET /v1/lanes/{lane}/txs` → "get-v1laneslanetxs"). */
function anchor(method: string, route: string): string {
  return `${method} ${route}`
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

function renderOperation(method: string, route: string, op: Operation): string[] {
  const out: string[] = [`### ${method.toUpperCase()} ${route}`, ""];
  if (op.summary) out.push(op.summary, "");
  if (op.description) out.push(op.description, "");
  const params = op.parameters ?? [];
  if (params.length > 0) {
    out.push(
      "| parameter | in | type | required | notes |",
      "|---|---|---|---|---|",
      ...params.map((p) => {
        const s = p.schema ?? {};
        const n = [p.description, notes(s)].filter(Boolean).join("; ");
        return `| ${code(p.name)} | ${p.in} | ${cell(typeName(s))} | ${p.required ? "yes" : "no"} | ${cell(n)} |`;
      }),
      "",
    );
  }
  if (op.requestBody?.content) {
    out.push(`**Request body**${op.requestBody.required ? " (required)" : ""}:`, "");
    out.push(...renderBody(op.requestBody.content));
    if (out.at(-1) !== "") out.push("");
  }
  const responses = Object.entries(op.responses ?? {});
  const errors: string[] = [];
  for (const [status, response] of responses) {
    const schemas = Object.values(response.content ?? {}).map((m) => m.schema);
    if (Number(status) >= 400 && schemas.every((s) => s === undefined || isErrorEnvelope(s))) {
      errors.push(
        `${status}${response.description && response.description !== "Error" ? ` (${response.description})` : ""}`,
      );
      continue;
    }
    out.push(`**${status}** ${response.description ?? ""}`.trimEnd(), "");
    if (response.content) {
      out.push(...renderBody(response.content));
      if (out.at(-1) !== "") out.push("");
    }
  }
  if (errors.length > 0) out.push(`**Errors** (the error envelope): ${errors.join(", ")}.`, "");
  return out;
}

/** The whole page for one document, deterministic: same document, same bytes. */
export function renderApiReference(ref: ApiReference): string {
  const { document } = ref;
  const routes: [string, string, Operation][] = [];
  for (const [route, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) routes.push([method, route, op]);
    }
  }
  const out: string[] = [
    `# ${document.info.title} — reference`,
    "",
    "<!-- Generated by scripts/gen-api-docs.ts from the OpenAPI document; do not edit by hand.",
    "     Regenerate: node_modules/.bin/node scripts/gen-api-docs.ts -->",
    "",
    `OpenAPI ${document.openapi}, API version ${document.info.version}. Served at ${code(`GET ${ref.servedBy}`)};`,
    `defined in ${code(ref.source)}. The conventions, error codes and examples are in`,
    `[${path.basename(ref.overview)}](${ref.overview}).`,
    "",
    'Every error is `{ "error": { "code", "message", "field"? } }`, where `field` names the offending input.',
    "",
    "## Routes",
    "",
    "| method | path | summary |",
    "|---|---|---|",
    ...routes.map(
      ([m, r, op]) => `| ${m.toUpperCase()} | [${code(r)}](#${anchor(m, r)}) | ${cell(op.summary ?? "")} |`,
    ),
    "",
    "## Details",
    "",
  ];
  for (const [method, route, op] of routes) out.push(...renderOperation(method, route, op));
  return `${out.join("\n").trimEnd()}\n`;
}

/** The references this repository publishes. */
export function apiReferences(): ApiReference[] {
  return [
    {
      file: "docs/api/edge.md",
      servedBy: "<edgeUrl>/v1/openapi.json",
      source: "workers/src/openapi.ts",
      overview: "../api-edge.md",
      document: edgeDocument as unknown as OpenApiDocument,
    },
    {
      file: "docs/api/settlement.md",
      servedBy: "<validatorUrl>/v1/openapi.json",
      source: "settlement-node/api/openapi.ts",
      overview: "../api-settlement.md",
      document: settlementDocument() as unknown as OpenApiDocument,
    },
    {
      file: "docs/api/watcher.md",
      servedBy: "<watcherUrl>/v1/openapi.json",
      source: "settlement-node/watcher/api.ts",
      overview: "../devnet.md",
      document: watcherOpenApiDocument() as unknown as OpenApiDocument,
    },
  ];
}

/** Files whose committed text differs from what the documents generate now. */
export function staleReferences(root: string): string[] {
  return apiReferences()
    .filter((ref) => {
      const file = path.join(root, ref.file);
      return !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== renderApiReference(ref);
    })
    .map((ref) => ref.file);
}

if (import.meta.main) {
  const root = path.resolve(import.meta.dirname, "..");
  if (process.argv.includes("--check")) {
    const stale = staleReferences(root);
    if (stale.length > 0) {
      console.error(
        `stale API reference: ${stale.join(", ")}; run node_modules/.bin/node scripts/gen-api-docs.ts`,
      );
      process.exit(1);
    }
    console.log("API reference up to date");
  } else {
    for (const ref of apiReferences()) {
      fs.mkdirSync(path.dirname(path.join(root, ref.file)), { recursive: true });
      fs.writeFileSync(path.join(root, ref.file), renderApiReference(ref));
      console.log(`wrote ${ref.file}`);
    }
  }
}
