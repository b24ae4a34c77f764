// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
import { describe, expect, it } from "vitest";
import { layeredLookup, parseParamMap, placeholdersIn, render, renderUrl } from "./template.ts";

describe("placeholders (spec §4.4)", () => {
  const lookup = layeredLookup({ listId: "a/b c" }, { listId: "auth", domain: "us6" }, { START_TIME: "2024" });

  it("resolves ${x} and {x}, source params before auth params before system values", () => {
    expect(render("https://{domain}.api/${listId}/{START_TIME}", lookup, "t")).toBe("https://us6.api/a/b c/2024");
  });

  it("lists the placeholders of a template", () => {
    expect(placeholdersIn("/x/${a}/{b}?q={SCHEDULE_QUERY}")).toEqual(["a", "b", "SCHEDULE_QUERY"]);
  });

  it("URL-encodes values when asked, and never re-reads a substituted value", () => {
    expect(render("/lists/${listId}", lookup, "path", encodeURIComponent)).toBe("/lists/a%2Fb%20c");
    expect(render("${v}", layeredLookup({ v: "${listId}" }), "t")).toBe("${listId}");
  });

  it("renderUrl keeps a leading placeholder verbatim (the host) and encodes every other one", () => {
    const hosts = layeredLookup({ host: "https://api.example.com/", domain: "evil.example/x", id: "a b" });
    expect(renderUrl("${host}v1/${id}", hosts, "t")).toBe("https://api.example.com/v1/a%20b");
    expect(renderUrl("https://{domain}.api.mailchimp.com", hosts, "t")).toBe(
      "https://evil.example%2Fx.api.mailchimp.com",
    );
  });

  it("names an unresolved placeholder, and says where window names come from", () => {
    expect(() => render("/x/${missing}", lookup, "urlParams.path")).toThrow(/"missing" in urlParams.path/);
    expect(() => render("{SCHEDULE_QUERY}", lookup, "q")).toThrow(/incremental window/);
    expect(() => renderUrl("${nohost}/x", lookup, "urlParams.host")).toThrow(/"nohost"/);
  });

  it("reads the legacy comma string, single-quoted JSON and header colon forms", () => {
    expect(parseParamMap("a=b,c=${x}", "q")).toEqual({ a: "b", c: "${x}" });
    expect(parseParamMap("{'key':'value','n':1}", "q")).toEqual({ key: "value", n: "1" });
    expect(parseParamMap("Accept: application/json", "h")).toEqual({ Accept: "application/json" });
    expect(parseParamMap("Authorization: Bearer a=b", "h")).toEqual({ Authorization: "Bearer a=b" });
    expect(parseParamMap("time=10:00", "q")).toEqual({ time: "10:00" });
    expect(parseParamMap({ n: 1, b: true, o: { x: 1 }, skip: null }, "q")).toEqual({ n: "1", b: "true", o: '{"x":1}' });
  });

  it("rejects a legacy entry without a separator, and a value of another type", () => {
    expect(() => parseParamMap("novalue", "q")).toThrow(/entry 1 of 1 is not name=value/);
    expect(() => parseParamMap(42, "q")).toThrow(/object or a string/);
  });
});
