import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Wasm instances and JWKS caches are per worker; two cores on the reference machine.
    pool: "forks",
    maxWorkers: 2,
  },
});
