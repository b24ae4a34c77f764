import { defineConfig } from "vitest/config";

/** `npm run test:cluster`: real processes, one file, minutes not seconds. */
export default defineConfig({
  test: {
    include: ["test/cluster/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 1,
    testTimeout: 420_000,
    hookTimeout: 120_000,
  },
});
