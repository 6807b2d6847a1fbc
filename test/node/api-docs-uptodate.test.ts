/**
 * The committed HTTP API reference (docs/api/edge.md, docs/api/settlement.md)
 * is exactly what scripts/gen-api-docs.ts generates from the OpenAPI
 * documents the services serve, so a route or schema that changes without
 * regenerating the reference fails here. Also: the settlement document read
 * from the renderer is the one a validator's app serves, and the renderer
 * reacts to a changed route (the check can fail).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { createSettlementApi } from "../../settlement-node/api/app.ts";
import { InMemorySettlementBackend, testNetwork } from "../../settlement-node/api/testing.ts";
import { openApiDocument as edgeDocument } from "../../workers/src/openapi.ts";
import {
  apiReferences,
  fieldRows,
  type OpenApiDocument,
  renderApiReference,
  staleReferences,
} from "../../scripts/gen-api-docs.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const REGENERATE = "node_modules/.bin/node scripts/gen-api-docs.ts";

describe("API reference in docs/api", () => {
  it("is up to date with the OpenAPI documents", () => {
    const stale = staleReferences(ROOT);
    expect(stale, `stale: run ${REGENERATE} and commit docs/api/`).toEqual([]);
  });

  it("documents every route and method of each document", () => {
    for (const ref of apiReferences()) {
      const page = fs.readFileSync(path.join(ROOT, ref.file), "utf8");
      const operations = Object.entries(ref.document.paths).flatMap(([route, item]) =>
        Object.keys(item).map((method) => `### ${method.toUpperCase()} ${route}`),
      );
      expect(operations.length).toBeGreaterThanOrEqual(4);
      for (const heading of operations) expect(page, `${ref.file} lacks ${heading}`).toContain(heading);
    }
  });

  it("renders from the documents the services serve", async () => {
    const settlement = apiReferences().find((r) => r.file === "docs/api/settlement.md")!;
    const app = createSettlementApi(new InMemorySettlementBackend({ network: testNetwork() }), {
      rateLimit: false,
    });
    const served = await (await app.request("/v1/openapi.json")).json();
    expect(served).toEqual(settlement.document);
    // The edge Worker serves the imported object as is (workers/src/index.ts: c.json(openApiDocument)).
    const edge = apiReferences().find((r) => r.file === "docs/api/edge.md")!;
    expect(edge.document).toBe(edgeDocument);
  });

  it("changes when a route is added or a field changes (the check can fail)", () => {
    for (const ref of apiReferences()) {
      const before = renderApiReference(ref);
      const added: OpenApiDocument = structuredClone(ref.document);
      added.paths["/v1/new-route"] = { get: { summary: "A route added without regenerating" } };
      const afterRoute = renderApiReference({ ...ref, document: added });
      expect(afterRoute).not.toBe(before);
      expect(afterRoute).toContain("### GET /v1/new-route");
      expect(renderApiReference({ ...ref, document: structuredClone(ref.document) })).toBe(before);
    }
    const settlement = apiReferences().find((r) => r.file === "docs/api/settlement.md")!;
    const changed: OpenApiDocument = structuredClone(settlement.document);
    const status = changed.paths["/v1/status"]!.get!;
    const schema = status.responses!["200"]!.content!["application/json"]!.schema!;
    schema.properties!.peers = { type: "string", description: "peer count as text" };
    expect(renderApiReference({ ...settlement, document: changed })).not.toBe(renderApiReference(settlement));
  });

  it("flattens nested objects, arrays and nullable alternatives into dotted field names", () => {
    const rows = fieldRows({
      type: "object",
      required: ["a", "list"],
      properties: {
        a: { type: "string", description: "decimal integer as a string", pattern: "^[0-9]+$" },
        list: {
          type: "array",
          items: { type: "object", required: ["x"], properties: { x: { type: "integer" } } },
        },
        next: {
          anyOf: [
            { type: "object", required: ["h"], properties: { h: { type: "string" } } },
            { type: "null" },
          ],
        },
      },
    });
    expect(rows.map((r) => [r.name, r.type, r.required])).toEqual([
      ["a", "string", true],
      ["list", "object[]", true],
      ["list[].x", "integer", true],
      ["next", "object or null", false],
      ["next.h", "string", true],
    ]);
    expect(rows[0]!.notes).toBe("decimal integer as a string");
  });
});
