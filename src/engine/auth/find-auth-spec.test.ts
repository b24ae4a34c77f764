import { describe, expect, it } from "vitest";
import { findAuthSpec } from "./index.ts";

const spec = {
  authSpec: [
    { name: "Basic Authentication", type: "BasicAuthentication", spec: {} },
    { name: "OAuth2 Refresh Code", type: "OAuth2RefreshCode", spec: {} },
  ],
};

describe("auth spec matching", () => {
  it.each([
    ["Basic Authentication", "BasicAuthentication"],
    ["basic authentication", "BasicAuthentication"],
    ["oAuth2RefreshCode", "OAuth2RefreshCode"],
    ["OAuth2-Refresh-Code", "OAuth2RefreshCode"],
  ])("finds %s", (name, type) => {
    expect(findAuthSpec(spec, name)?.type).toBe(type);
  });

  it("finds nothing for an unknown name or a spec without authSpec", () => {
    expect(findAuthSpec(spec, "API Key Authentication")).toBeUndefined();
    expect(findAuthSpec({}, "Basic Authentication")).toBeUndefined();
  });
});
