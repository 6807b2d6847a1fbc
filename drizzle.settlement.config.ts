import { defineConfig } from "drizzle-kit";

// Settlement validator database (PGlite by default, PostgreSQL via DATABASE_URL).
// Regenerate after a schema change: npx drizzle-kit generate --config drizzle.settlement.config.ts
export default defineConfig({
  dialect: "postgresql",
  schema: "./settlement-node/db/schema.ts",
  out: "./migrations/settlement",
});
