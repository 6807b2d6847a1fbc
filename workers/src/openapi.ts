/** GET /v1/openapi.json: the route list with parameters; docs/api-edge.md has the prose. */
const hex32 = { type: "string", pattern: "^(0x)?[0-9a-fA-F]{64}$" };
const lane = { name: "lane", in: "path", required: true, schema: { type: "integer", minimum: 1 } };
const error = {
  description: "Error",
  content: {
    "application/json": {
      schema: {
        type: "object",
        properties: {
          error: {
            type: "object",
            required: ["code", "message"],
            properties: { code: { type: "string" }, message: { type: "string" }, field: { type: "string" } },
          },
        },
      },
    },
  },
};
const get = (summary: string, params: object[] = []) => ({
  get: {
    summary,
    parameters: [lane, ...params],
    responses: { 200: { description: "OK" }, 400: error, 404: error },
  },
});
const path = (name: string) => ({ name, in: "path", required: true, schema: hex32 });

export const openApiDocument = {
  openapi: "3.1.0",
  info: { title: "Bitlayer edge API", version: "1" },
  paths: {
    "/v1/lanes/{lane}/txs": {
      post: {
        summary: "Submit one signed transaction ({tx}) or a batch ({txs}), canonical bytes as hex or base64",
        parameters: [lane],
        requestBody: {
          content: {
            "application/json": {
              schema: {
                oneOf: [
                  {
                    type: "object",
                    required: ["tx"],
                    properties: { tx: { type: "string" }, encoding: { enum: ["hex", "base64"] } },
                  },
                  {
                    type: "object",
                    required: ["txs"],
                    properties: {
                      txs: { type: "array", maxItems: 256, items: { type: "string" } },
                      encoding: { enum: ["hex", "base64"] },
                    },
                  },
                ],
              },
            },
          },
        },
        responses: {
          200: { description: "Signed receipt(s)" },
          400: error,
          413: error,
          422: error,
          429: error,
          503: error,
        },
      },
    },
    "/v1/lanes/{lane}/receipts/{hash}": get("Signed receipt by transaction hash", [path("hash")]),
    "/v1/lanes/{lane}/idempotency/{sender}/{key}": get("Signed receipt by sender and idempotency key", [
      path("sender"),
      path("key"),
    ]),
    "/v1/lanes/{lane}/accounts/{address}": get(
      "Nonce and native balance with a multiproof against the state root",
      [path("address")],
    ),
    "/v1/lanes/{lane}/accounts/{address}/tokens/{token}": get("Token record and balance with a multiproof", [
      path("address"),
      path("token"),
    ]),
    "/v1/lanes/{lane}/items/{item}": get("Item record with a proof", [path("item")]),
    "/v1/lanes/{lane}/blocks": get("Sealed blocks from a height (?from, ?limit ≤ 100)"),
    "/v1/lanes/{lane}/checkpoints": get("Built checkpoints with their postCheckpoint payloads"),
    "/v1/lanes/{lane}/status": get("Head, sequencer key, pending blocks"),
    "/v1/lanes/{lane}/feed": get("WebSocket feed of receipts (Upgrade: websocket)"),
  },
};
