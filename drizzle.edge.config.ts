import { defineConfig } from "drizzle-kit";

// Sequencer Durable Object storage (SQLite inside each lane's object).
// Regenerate after a schema change:
//   npx drizzle-kit generate --config drizzle.edge.config.ts && node workers/scripts/embed-migrations.ts
export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./workers/src/sequencer/schema.ts",
  out: "./migrations/edge",
});
