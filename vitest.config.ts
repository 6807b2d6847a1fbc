import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two runtimes, one suite: everything under test/core runs in Node *and* in
// workerd, which is how determinism of the pure core is proven. test/node and
// test/workerd hold what only makes sense in one runtime.
export default defineConfig({
  test: {
    reporters: ["default", "json"],
    outputFile: { json: ".test-results/vitest.json" },
    projects: [
      {
        test: {
          name: "node",
          include: ["test/core/**/*.test.ts", "test/node/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        server: { fs: { allow: [".", "../shared"] } },
        test: {
          name: "workerd",
          include: ["test/core/**/*.test.ts", "test/workerd/**/*.test.ts"],
          // Four real settlement validators for test/workerd/lane-settlement-e2e.test.ts (provide/inject).
          globalSetup: ["./test/workerd/settlement-cluster.setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
