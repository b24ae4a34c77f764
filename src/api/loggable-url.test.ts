import { describe, expect, it } from "vitest";
import { loggableUrl } from "./loggable-url.ts";

describe("loggableUrl", () => {
  it("keeps list parameters and replaces explore's sourceParams", () => {
    const sourceParams = Buffer.from(JSON.stringify({ apiSecret: "s3cr3t" })).toString("base64");
    const logged = loggableUrl(
      `/data/foundation/flowservice/connections/1/explore?objectType=rest&sourceParams=${sourceParams}`,
    );
    expect(logged).toContain("objectType=rest");
    expect(logged).not.toContain(sourceParams);
    expect(logged).toMatch(/sourceParams=%E2%80%A6/);
  });

  it("leaves a URL without a query unchanged", () => {
    expect(loggableUrl("/data/foundation/flowservice/flows?limit=2")).toBe(
      "/data/foundation/flowservice/flows?limit=2",
    );
    expect(loggableUrl("/healthz")).toBe("/healthz");
  });
});
