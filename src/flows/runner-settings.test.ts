import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../config.ts";

describe("runner settings in the config", () => {
  it("defaults to 2 concurrent runs and a 5 s poll", () => {
    const config = parseConfig({ dataDir: "/tmp/inlet" }, {});
    expect(config.runConcurrency).toBe(2);
    expect(config.runPollMs).toBe(5000);
  });

  it("reads INLET_RUN_CONCURRENCY and INLET_RUN_POLL_MS", () => {
    const config = parseConfig({ dataDir: "/tmp/inlet" }, { INLET_RUN_CONCURRENCY: "8", INLET_RUN_POLL_MS: "250" });
    expect([config.runConcurrency, config.runPollMs]).toEqual([8, 250]);
  });

  it.each(["0", "-1", "1.5", "many"])("refuses INLET_RUN_CONCURRENCY=%s", (value) => {
    expect(() => parseConfig({ dataDir: "/tmp/inlet" }, { INLET_RUN_CONCURRENCY: value })).toThrow(ConfigError);
    expect(() => parseConfig({ dataDir: "/tmp/inlet" }, { INLET_RUN_CONCURRENCY: value })).toThrow(
      `INLET_RUN_CONCURRENCY: must be a positive integer, got "${value}"`,
    );
  });

  it("refuses a poll interval that is not a positive integer", () => {
    expect(() => parseConfig({ dataDir: "/tmp/inlet" }, { INLET_RUN_POLL_MS: "0" })).toThrow(/INLET_RUN_POLL_MS/);
  });
});
