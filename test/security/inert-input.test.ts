// biome-ignore-all lint/suspicious/noTemplateCurlyInString: placeholders are the subject of these tests
/**
 * "Nothing from a spec is ever evaluated as code": JSONPath (contentPath, pointerPath,
 * continuationTokenPath, endConditionName all go through compilePath), placeholders, mapping
 * expressions and destinations, JSON Patch paths, list filters, projections and orderby are
 * refused or read as inert data; none reaches a prototype. Also the redaction of excerpts and
 * syntax errors that would otherwise carry a piece of a secret.
 */
import { afterEach, describe, expect, it } from "vitest";
import { applyPatch, parsePatch } from "../../src/api/json-patch.ts";
import { applyList } from "../../src/api/listing/apply-list.ts";
import { parseListQuery } from "../../src/api/listing/list-query.ts";
import { bodyExcerpt, EngineError } from "../../src/engine/errors.ts";
import { compilePath } from "../../src/engine/json-path.ts";
import { Redactor } from "../../src/engine/redact.ts";
import { layeredLookup, render, renderJson, renderUrl } from "../../src/engine/template.ts";
import { FlowError } from "../../src/errors.ts";
import { compileExpression, compileMapping, identityMapping } from "../../src/mapping/index.ts";
import { parseJsonText } from "../../src/specs/json-text.ts";

const now = { now: () => new Date(0) };
/** Whatever a test did, Object.prototype must come out untouched. */
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();
const pristine = prototypeKeys();
afterEach(() => {
  expect(prototypeKeys()).toEqual(pristine);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("JSONPath from a spec", () => {
  const scripts = [
    "$..[?(@.constructor.constructor('return process')())]",
    "$[?(@.a == process.exit(1))]",
    "$.a;process.exit(1)",
    "$.items[(@.length-1)]",
    "$[?(@.a)].constructor.constructor('return this')()",
    "$[?match(@.name, '(a+)+$')]",
    "$[?search(@.name, '(a|aa)+')]",
    "$[?eval(@.x)]",
    "javascript:alert(1)",
  ];
  it.each(scripts)("refuses %s as a spec error", (path) => {
    const error = thrown(() => compilePath(path, "paginationParams.pointerPath"));
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).kind).toBe("spec");
  });

  it("reads own data only: prototype names select nothing", () => {
    const data = { items: [{ id: 1 }], nested: { a: {} } };
    for (const path of ["$.constructor", "$.__proto__", "$['__proto__']", "$.items.constructor", "constructor.name"])
      expect(compilePath(path, "contentPath").select(data), path).toEqual([]);
    expect(compilePath("$..constructor", "contentPath").select(data)).toEqual([]);
    expect(compilePath("$..[?@.constructor]", "contentPath").select(data)).toEqual([]);
    const hostile = JSON.parse('{"__proto__": {"polluted": "yes"}, "items": [{"__proto__": {"x": 1}}]}');
    expect(compilePath("$.__proto__.polluted", "contentPath").first(hostile)).toBe("yes");
    expect(compilePath("$..polluted", "contentPath").select(hostile)).toEqual(["yes"]);
  });
});

describe("placeholders", () => {
  const lookup = layeredLookup({ listId: "L1" }, { host: "https://api.example" });
  it.each([
    "${process.env.HOME}",
    "${constructor}",
    "${__proto__}",
    "{toString}",
    "${hasOwnProperty}",
    "@{pipeline.parameters.x}",
    "{{constructor}}",
  ])("leaves %s unresolved (an error), never evaluated", (template) => {
    const error = thrown(() => render(template, lookup, "urlParams.path"));
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).kind).toBe("params");
  });

  it("sends expression syntax it does not know as literal text", () => {
    for (const text of ["@{utcnow()}", "${1+1}", "#{7*7}", "{{7*7}}", "${''.constructor}"])
      expect(render(text, lookup, "headerParams.x")).toBe(text);
  });

  it("substitutes values as text: a value that looks like code stays text, a URL value cannot change the host", () => {
    const hostile = layeredLookup({ id: "${listId}", q: "'); process.exit(1); ('", path: "../../admin?x=" }, {});
    expect(render("/lists/${id}", hostile, "path")).toBe("/lists/${listId}");
    expect(renderJson({ q: "${q}" }, hostile, "bodyParams")).toEqual({ q: "'); process.exit(1); ('" });
    expect(renderUrl("https://api.example/${path}", hostile, "path")).toBe(
      "https://api.example/..%2F..%2Fadmin%3Fx%3D",
    );
  });
});

describe("mapping expressions", () => {
  it.each([
    'constructor.constructor("return process")()',
    "eval('1')",
    "Function('return 1')()",
    "lower(x) + process.exit(1)",
    "require('fs')",
    "@{pipeline().parameters.x}",
    "lower(x); process.exit(1)",
    "import('fs')",
  ])("refuses %s", (text) => {
    const error = thrown(() => compileExpression(text, now));
    expect(error, text).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("ExpressionSyntaxError");
  });

  it("reads own fields only and returns text as text", () => {
    const record = JSON.parse('{"__proto__": {"a": 1}, "name": "${process.env.HOME}"}');
    for (const path of [
      "constructor",
      "toString",
      "constructor.name",
      "hasOwnProperty",
      "this.constructor",
      "`${process.env.HOME}`",
    ])
      expect(compileExpression(path, now)({}), path).toBeUndefined();
    expect(compileExpression("__proto__.a", now)(record)).toBe(1);
    expect(compileExpression("upper(name)", now)(record)).toBe("${PROCESS.ENV.HOME}");
    expect(compileExpression("concat('a', \"'); process.exit(1); ('\")", now)({})).toBe("a'); process.exit(1); ('");
  });
});

describe("mapping destinations", () => {
  const schema = {
    $id: "s",
    type: "object",
    properties: {
      constructor: {
        type: "object",
        properties: {
          prototype: { type: "object", properties: { polluted: { type: "string" } } },
          name: { type: "string" },
        },
      },
      toString: { type: "string" },
    },
  };

  it("writes constructor.prototype.x into the row, never into Object.prototype", () => {
    const mapping = compileMapping(
      {
        mappings: [
          { sourceType: "ATTRIBUTE", source: "v", destination: "constructor.prototype.polluted" },
          { sourceType: "ATTRIBUTE", source: "v", destination: "constructor.name" },
          { sourceType: "ATTRIBUTE", source: "v", destination: "toString" },
        ],
      },
      schema,
    );
    const outcome = mapping.apply({ v: "yes" });
    expect(outcome).toEqual({
      ok: true,
      row: { constructor: { prototype: { polluted: "yes" }, name: "yes" }, toString: "yes" },
    });
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
    expect(Object.name).toBe("Object");
  });

  it("maps by name onto constructor and toString columns without reading prototypes", () => {
    const outcome = identityMapping(schema).apply(JSON.parse('{"toString": "t", "__proto__": {"constructor": 1}}'));
    expect(outcome).toEqual({ ok: true, row: { toString: "t" } });
  });
});

describe("JSON Patch paths", () => {
  const doc = { name: "n", auth: { params: { host: "h" } }, items: [{ a: 1 }] };
  it.each([
    "/__proto__/polluted",
    "/auth/params/__proto__/polluted",
    "/constructor/prototype/polluted",
    "/items/0/__proto__/polluted",
    "/auth/constructor/prototype/polluted",
  ])("refuses %s", (path) => {
    for (const op of ["add", "replace"] as const) {
      const error = thrown(() => applyPatch(doc, parsePatch([{ op, path, value: "yes" }])));
      expect(error).toBeInstanceOf(FlowError);
    }
  });

  it("copies values that carry __proto__ as plain data", () => {
    const value = JSON.parse('{"__proto__": {"polluted": "yes"}}');
    const patched = applyPatch(doc, parsePatch([{ op: "add", path: "/extra", value }]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(doc).not.toHaveProperty("extra");
    expect((patched as Record<string, unknown>).extra).toBeDefined();
  });
});

describe("list filters, projections and orderby", () => {
  const items = [
    { id: "a", name: "x", auth: { params: { password: "***" } } },
    { id: "b", name: "y" },
  ];
  const list = (query: Record<string, unknown>) => applyList(items, parseListQuery(query));

  it("treats prototype names as missing fields", () => {
    for (const property of ["constructor==x", "__proto__.polluted==1", "toString==x", "constructor.name==Object"])
      expect(list({ property }), property).toEqual({ kind: "page", items: [], nextToken: undefined });
    expect(list({ property: "constructor!=x" })).toMatchObject({ items: items });
    expect(list({ orderby: "-__proto__,constructor" })).toMatchObject({ kind: "page" });
  });

  it("projects own fields only", () => {
    const result = list({ property: "constructor,toString,__proto__,hasOwnProperty,name" });
    expect(result).toEqual({
      kind: "page",
      items: [
        { id: "a", name: "x" },
        { id: "b", name: "y" },
      ],
      nextToken: undefined,
    });
    for (const item of (result as { items: object[] }).items)
      expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
  });

  it("refuses pathological input quickly", () => {
    const started = performance.now();
    expect(thrown(() => list({ property: `a==${",".repeat(100_000)}` }))).toBeInstanceOf(FlowError);
    expect(thrown(() => list({ property: `${"a[]".repeat(50_000)}==1` }))).toBeInstanceOf(FlowError);
    expect(list({ property: `${"a.".repeat(50_000)}a==1` })).toMatchObject({ items: [] });
    expect(list({ property: Array.from({ length: 1000 }, (_, k) => `name!=${k}`) })).toMatchObject({ items });
    expect(thrown(() => list({ orderby: `${"-a,".repeat(50_000)}(` }))).toBeInstanceOf(FlowError);
    expect(thrown(() => list({ continuationToken: "e30".repeat(10_000) }))).toBeInstanceOf(FlowError);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("excerpts and syntax errors carry no piece of a secret", () => {
  const secret = `pw-${"Zq9".repeat(100)}`; // 303 characters: longer than an excerpt

  it("redacts a body before cutting it, so a cut through an echoed secret shows none of it", () => {
    const redactor = new Redactor();
    redactor.add(secret);
    for (const pad of [0, 150, 290, 299]) {
      for (const body of [`${".".repeat(pad)}${secret}tail`, Buffer.from(`${".".repeat(pad)}${secret}`)]) {
        const excerpt = bodyExcerpt(body, redactor);
        expect(excerpt).not.toContain("pw-Zq9");
        expect(excerpt.length).toBeLessThanOrEqual(301);
      }
    }
  });

  it("never quotes the text of a malformed JSON document", () => {
    const texts = [
      `{"password": ${secret}}`,
      `{"a": "${"x".repeat(50)}", "password": tru${secret}}`,
      `{"password": "${secret}" }}`,
      secret,
      `"${secret}`,
    ];
    for (const text of texts) {
      const parsed = parseJsonText(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).not.toContain("Zq9");
    }
  });
});
