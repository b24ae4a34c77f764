// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
import { describe, expect, it } from "vitest";
import { layeredLookup, parseParamMap, render } from "./template.ts";

describe("placeholders (spec §4.4)", () => {
  const lookup = layeredLookup({ listId: "a/b c" }, { listId: "auth", domain: "us6" }, { START_TIME: "2024" });

  it("resolves ${x} and {x}, source params before auth params before system values", () => {
    expect(render("https://{domain}.api/${listId}/{START_TIME}", lookup, "t")).toBe("https://us6.api/a/b c/2024");
  });

  it("URL-encodes values when asked", () => {
    expect(render("/lists/${listId}", lookup, "path", encodeURIComponent)).toBe("/lists/a%2Fb%20c");
  });

  it("names an unresolved placeholder", () => {
    expect(() => render("/x/${missing}", lookup, "urlParams.path")).toThrow(/"missing" in urlParams.path/);
  });

  it("reads the legacy comma string, single-quoted JSON and header colon forms", () => {
    expect(parseParamMap("a=b,c=${x}", "q")).toEqual({ a: "b", c: "${x}" });
    expect(parseParamMap("{'key':'value','n':1}", "q")).toEqual({ key: "value", n: "1" });
    expect(parseParamMap("Accept: application/json", "h")).toEqual({ Accept: "application/json" });
  });

  it("rejects a legacy entry without a separator", () => {
    expect(() => parseParamMap("novalue", "q")).toThrow(/not name=value/);
  });
});
