import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config.ts";

describe("INLET_EGRESS", () => {
  it("defaults to no-link-local and takes any of the policies", () => {
    expect(parseConfig({ dataDir: "/tmp/inlet" }, {}).egress).toBe("no-link-local");
    for (const policy of ["any", "no-link-local", "public"]) {
      expect(parseConfig({ dataDir: "/tmp/inlet" }, { INLET_EGRESS: policy }).egress).toBe(policy);
    }
  });

  it("refuses anything else, naming the setting and the choices", () => {
    expect(() => parseConfig({ dataDir: "/tmp/inlet" }, { INLET_EGRESS: "private" })).toThrow(ConfigError);
    expect(() => parseConfig({ dataDir: "/tmp/inlet" }, { INLET_EGRESS: "private" })).toThrow(
      "INLET_EGRESS: must be one of any, no-link-local, public",
    );
  });
});
