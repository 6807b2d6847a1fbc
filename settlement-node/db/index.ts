export * from "./open-database.ts";
export * from "./reindex.ts";
export * as schema from "./schema.ts";
