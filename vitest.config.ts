import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "src/**/*.test.ts",
      "test/**/*.test.ts",
      "bench/**/*.test.ts",
      "web/src/**/*.test.ts",
      "web/e2e/**/*.test.ts",
    ],
    // The cluster test starts real processes for minutes: `npm run test:cluster` runs it.
    exclude: [...configDefaults.exclude, "test/cluster/**"],
    // Integration suites open sockets and databases; 2 cores make more forks slower, not faster.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
