import { isUtf8 } from "node:buffer";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { type PageScanOptions, scanPage } from "./scan-page.ts";

function options(arrayPath: readonly string[], skipKeys: readonly string[] = []): PageScanOptions {
  return { arrayPath, skipKeys: new Set(skipKeys) };
}

/** What rule 1 promises: the records array JSON.parse finds, with skipKeys removed from object elements. */
function expectedElements(text: string, { arrayPath, skipKeys }: PageScanOptions): unknown[] | undefined {
  let value: unknown = JSON.parse(text);
  for (const name of arrayPath) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, name)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[name];
  }
  if (!Array.isArray(value)) return undefined;
  return value.map((element: unknown) =>
    typeof element === "object" && element !== null && !Array.isArray(element)
      ? Object.fromEntries(Object.entries(element).filter(([name]) => !skipKeys.has(name)))
      : element,
  );
}

/** Why scanPage's answer breaks rule 1 (or the ScannedPage contract), or undefined when it keeps it. */
function unsoundness(page: Buffer, scanOptions: PageScanOptions): string | undefined {
  const scanned = scanPage(page, scanOptions);
  if (scanned === undefined) return undefined;
  let expected: unknown[] | undefined;
  try {
    expected = expectedElements(page.toString("utf8"), scanOptions);
  } catch {
    return "scanPage accepted a page JSON.parse rejects";
  }
  if (!isUtf8(page)) return "scanPage accepted invalid UTF-8";
  if (expected === undefined) return "scanPage found an array where the path leads to none";
  if (page[scanned.arrayStart] !== 0x5b || page[scanned.arrayEnd - 1] !== 0x5d) return "array offsets are wrong";
  if (scanned.elements.length !== expected.length) return "element count differs";
  for (const [i, element] of scanned.elements.entries()) {
    if (element.includes(0x0a) || element.includes(0x0d)) return `element ${i} spans lines`;
    if (!isDeepStrictEqual(JSON.parse(element.toString("utf8")), expected[i])) return `element ${i} differs`;
  }
  const allObjects = expected.every((e) => typeof e === "object" && e !== null && !Array.isArray(e));
  if (scanned.allObjects !== allObjects) return "allObjects is wrong";
  return undefined;
}

function expectScanned(text: string, scanOptions: PageScanOptions) {
  const page = Buffer.from(text);
  const scanned = scanPage(page, scanOptions);
  expect(scanned).toBeDefined();
  expect(unsoundness(page, scanOptions)).toBeUndefined();
  return scanned!;
}

const texts = (scanned: { elements: Buffer[] }) => scanned.elements.map((e) => e.toString("utf8"));

/** Whether element shares the page's memory (small Buffers share one pool, so compare ranges too). */
function isViewOf(element: Buffer, page: Buffer): boolean {
  return (
    element.buffer === page.buffer &&
    element.byteOffset >= page.byteOffset &&
    element.byteOffset + element.length <= page.byteOffset + page.length
  );
}

describe("scanPage on valid pages", () => {
  it.each([
    ["an object array under a member", '{"items":[{"a":1},{"b":"x"}]}', ["items"]],
    ["the array at the root", '[{"a":1},{"a":2}]', []],
    ["an empty array", '{"items":[]}', ["items"]],
    ["an empty array with whitespace inside", '{"items":[ \n ]}', ["items"]],
    ["the array two levels deep", '{"data":{"meta":{},"records":[{"id":1}],"n":2}}', ["data", "records"]],
    ["members before and after the array", '{"a":[1,{"x":[]}],"items":[{"id":1}],"next":"x","z":null}', ["items"]],
    ["non-object elements", '{"items":[1,"two",null,true,false,[3,[4]],{"o":{}},-0.5e-3]}', ["items"]],
    ["nested arrays of arrays", "[[[]],[[1,2],[3]],[[[[]]]]]", []],
    ["brackets and braces inside strings", '{"items":[{"s":"[{\\"}]"},"]","}{"]}', ["items"]],
    ["escaped quotes and backslashes", '{"items":["a\\\\","a\\"","\\\\\\"",{"k\\"":"\\\\"}]}', ["items"]],
    ["every escape", '{"items":["\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00 \\ud800"]}', ["items"]],
    ["multi-byte UTF-8", '{"items":[{"name":"Zoë 🚀 日本"}],"ü":"ß"}', ["items"]],
    [
      "every number form",
      '{"items":[0,-0,1,-1,10,1.5,-0.25,1e5,1E5,1e+5,1e-5,1.5E-10,123456789012345678901234567890]}',
      ["items"],
    ],
    ["whitespace of every kind between tokens", ' \t\r\n{ "items" :\t[ 1 ,\r\n 2 ] , "x" : { } } \n', ["items"]],
    ["an escaped path member name", '{"\\u0069tems":[{"a":1}]}', ["items"]],
    ["a path member name that needs escapes", '{"it\\"ems":[1]}', ['it"ems']],
    ["the path member name used as a value and nested deeper", '{"x":"items","y":{"items":1},"items":[1]}', ["items"]],
    ["a duplicate member name elsewhere", '{"x":1,"x":2,"items":[{"a":1,"a":2}]}', ["items"]],
    ["__proto__ members", '{"items":[{"__proto__":{"a":1}},{"constructor":1}]}', ["items"]],
  ])("accepts %s", (_, text, arrayPath) => {
    expectScanned(text, options(arrayPath));
  });

  it("accepts nesting up to 10,000 levels deep", () => {
    // Compared as text: deep equality of 10,000 nested arrays would overflow the checker's stack.
    const deep = `${"[".repeat(10_000)}1${"]".repeat(10_000)}`;
    expect(texts(scanPage(Buffer.from(`{"items":[${deep}]}`), options(["items"]))!)).toEqual([deep]);
  });

  it("returns views into the page when nothing changes", () => {
    const page = Buffer.from('{"items":[{"a":1}, 2 ]}');
    const scanned = scanPage(page, options(["items"], ["zzz"]))!;
    expect(scanned).toMatchObject({ arrayStart: 9, arrayEnd: page.length - 1, allObjects: false });
    expect(texts(scanned)).toEqual(['{"a":1}', "2"]);
    for (const element of scanned.elements) expect(isViewOf(element, page)).toBe(true);
  });

  it("keeps each element's bytes exactly: escapes, number spellings and spaces", () => {
    const elements = ['{ "a" : "\\u0041\\/" , "n" : 1.50E+2 }', '"\\ud83d\\ude00"', "-0.0e-0", '[ 1 , "x" ]'];
    const scanned = expectScanned(`{"items":[${elements.join(",")}]}`, options(["items"]));
    expect(texts(scanned)).toEqual(elements);
  });

  it("compacts elements that span lines, outside strings only", () => {
    const text =
      '{\r\n  "items": [\n    {\n      "a": "x  y",\n      "b": [\n        1,\n\t2\n      ]\n    },\n    3\n  ]\n}';
    const scanned = expectScanned(text, options(["items"]));
    expect(texts(scanned)).toEqual(['{"a":"x  y","b":[1,2]}', "3"]);
  });

  it("compacts a pretty-printed page into one line per element", () => {
    const records = [
      { a: "line\nbreak", b: [1, { c: null }] },
      { d: "tab\there", e: " spaced " },
    ];
    const scanned = expectScanned(JSON.stringify({ items: records }, null, 2), options(["items"]));
    expect(texts(scanned)).toEqual(records.map((r) => JSON.stringify(r)));
  });

  it("leaves single-line elements of a multi-line page as views", () => {
    const page = Buffer.from('{"items":[\n{"a":1},\n{"b":\n2}\n]}');
    const scanned = scanPage(page, options(["items"]))!;
    expect(texts(scanned)).toEqual(['{"a":1}', '{"b":2}']);
    expect(scanned.elements.map((element) => isViewOf(element, page))).toEqual([true, false]);
  });
});

describe("scanPage with skipKeys", () => {
  it.each([
    ["the first member", '{"_links":1,"a":2,"b":3}', '{"a":2,"b":3}'],
    ["a middle member", '{"a":1,"_links":{"x":[1]},"b":3}', '{"a":1,"b":3}'],
    ["the last member", '{"a":1,"b":2,"_links":"x"}', '{"a":1,"b":2}'],
    ["the only member", '{"_links":[1,2]}', "{}"],
    ["every member", '{"_links":1,"total":2,"_links":3}', "{}"],
    ["a duplicated member", '{"_links":1,"a":2,"_links":3,"b":4,"_links":5}', '{"a":2,"b":4}'],
    ["consecutive members", '{"a":1,"_links":2,"total":3,"b":4}', '{"a":1,"b":4}'],
    ["leading and trailing members", '{"_links":1,"total":2,"a":3,"_links":4,"total":5}', '{"a":3}'],
    ["members with whitespace around", '{ "_links" : 1 , "a" : 2 , "total" : 3 }', '{ "a" : 2 }'],
    ["a name written with escapes", '{"\\u005flinks":1,"a":2,"\\u0074otal":3}', '{"a":2}'],
  ])("removes %s", (_, element, expected) => {
    const scanned = expectScanned(`{"items":[${element}]}`, options(["items"], ["_links", "total"]));
    expect(texts(scanned)).toEqual([expected]);
  });

  it("leaves nested members, non-objects and similar names alone", () => {
    const elements = [
      '{"a":{"_links":1},"_link":2,"_links_":3,"_Links":4}',
      '["_links"]',
      '"_links"',
      '[{"_links":1}]',
    ];
    const page = Buffer.from(`{"items":[${elements.join(",")}]}`);
    const scanned = expectScanned(page.toString(), options(["items"], ["_links"]));
    expect(texts(scanned)).toEqual(elements);
    const again = scanPage(page, options(["items"], ["_links"]))!;
    for (const element of again.elements) expect(isViewOf(element, page)).toBe(true);
  });

  it("matches names that are not plain ASCII, and names that need escapes", () => {
    const scanned = expectScanned(
      '{"items":[{"é":1,"a\\"b":2,"\\u00e9":3,"\\ud800":4,"k":5}]}',
      options(["items"], ["é", 'a"b', "\ud800"]),
    );
    expect(texts(scanned)).toEqual(['{"k":5}']);
  });

  it("removes members and compacts a multi-line element together", () => {
    const scanned = expectScanned(
      '{"items":[{\n "_links": [1,\n 2],\n "a" : "x y" ,\n "total":1\n}]}',
      options(["items"], ["_links", "total"]),
    );
    expect(texts(scanned)).toEqual(['{"a":"x y"}']);
  });
});

describe("scanPage refuses", () => {
  it.each([
    ["an empty page", ""],
    ["only whitespace", " \n"],
    ["a UTF-8 byte order mark", '\ufeff{"items":[]}'],
    ["a truncated page", '{"items":[{"a":1}'],
    ["a truncated string", '{"items":["abc'],
    ["a truncated escape", '{"items":["\\'],
    ["a truncated literal", '{"items":[tr'],
    ["tru", '{"items":[tru]}'],
    ["nul", '{"items":[nul]}'],
    ["falsy", '{"items":[falsy]}'],
    ["True", '{"items":[True]}'],
    ["NaN", '{"items":[NaN]}'],
    ["Infinity", '{"items":[Infinity]}'],
    ["undefined", '{"items":[undefined]}'],
    ["a leading zero", '{"items":[01]}'],
    ["a negative leading zero", '{"items":[-01]}'],
    ["a bare minus", '{"items":[-]}'],
    ["a plus sign", '{"items":[+1]}'],
    ["a trailing point", '{"items":[1.]}'],
    ["a leading point", '{"items":[.5]}'],
    ["an empty exponent", '{"items":[1e]}'],
    ["an exponent with a bare sign", '{"items":[1e+]}'],
    ["a hex number", '{"items":[0x1F]}'],
    ["a double minus", '{"items":[--1]}'],
    ["a bad escape", '{"items":["\\x41"]}'],
    ["a bad unicode escape", '{"items":["\\u12G4"]}'],
    ["a short unicode escape", '{"items":["\\u12"]}'],
    ["a bad last hex digit", '{"items":["\\u123g"]}'],
    ["an uppercase U escape", '{"items":["\\U0041"]}'],
    ["a raw tab in a string", '{"items":["a\tb"]}'],
    ["a raw line feed in a string", '{"items":["a\nb"]}'],
    ["a raw NUL in a string", '{"items":["a\u0000b"]}'],
    ["a raw control byte in a member name", '{"items":[{"a\u001f":1}]}'],
    ["a raw control byte in a string outside the array", '{"x":"\u0001","items":[]}'],
    ["a trailing comma in the array", '{"items":[1,]}'],
    ["a trailing comma in an object element", '{"items":[{"a":1,}]}'],
    ["a trailing comma in the root", '{"items":[],}'],
    ["a leading comma", '{"items":[,1]}'],
    ["a double comma", '{"items":[1,,2]}'],
    ["a missing comma", '{"items":[1 2]}'],
    ["a missing colon", '{"items":[{"a" 1}]}'],
    ["a missing colon on the path", '{"items" []}'],
    ["a double colon", '{"items":[{"a"::1}]}'],
    ["a missing value", '{"items":[{"a":}]}'],
    ["single quotes", "{\"items\":['a']}"],
    ["an unquoted member name", '{"items":[{a:1}]}'],
    ["a number as member name", '{"items":[{1:1}]}'],
    ["mismatched brackets", '{"items":[{"a":[1}]]}'],
    ["a bracket closing an object", '{"items":[{"a":1]]}'],
    ["garbage after the root", '{"items":[]}x'],
    ["a second root value", '{"items":[]} {}'],
    ["a comment", '{"items":[] /* c */}'],
    ["a form feed as whitespace", '{"items":[\f1]}'],
    ["a non-breaking space as whitespace", '{"items":[\u00a01]}'],
    ["an unclosed root", '{"items":[]'],
  ])("%s", (_, text) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(scanPage(Buffer.from(text), options(["items"]))).toBeUndefined();
  });

  it.each([
    ["a lone continuation byte", [0x80]],
    ["a truncated sequence", [0xc3]],
    ["an overlong encoding", [0xc0, 0xaf]],
    ["an encoded surrogate", [0xed, 0xa0, 0x80]],
    ["a byte that never occurs", [0xff]],
  ])("invalid UTF-8: %s", (_, bytes) => {
    const page = Buffer.concat([Buffer.from('{"items":["a'), Buffer.from(bytes), Buffer.from('"]}')]);
    expect(scanPage(page, options(["items"]))).toBeUndefined();
  });

  it.each([
    ["leads to an object", '{"items":{"a":[]}}', ["items"]],
    ["leads to null", '{"items":null}', ["items"]],
    ["leads to a string", '{"items":"[1]"}', ["items"]],
    ["is missing", '{"data":[1]}', ["items"]],
    ["is missing in an empty root", "{}", ["items"]],
    ["is missing one level down", '{"data":{"other":[]}}', ["data", "records"]],
    ["goes through an empty object", '{"data":{}}', ["data", "records"]],
    ["goes through an array", '{"data":[{"records":[]}]}', ["data", "records"]],
    ["starts at an array root", "[[1]]", ["0"]],
    ["wants a root array that is an object", '{"items":[]}', []],
    ["meets a duplicate member", '{"items":[1],"items":[2]}', ["items"]],
    ["meets a duplicate member that is not the array", '{"items":[1],"items":null}', ["items"]],
    ["meets a duplicate written with escapes", '{"items":[1],"\\u0069tems":[2]}', ["items"]],
    ["meets a duplicate one level up", '{"data":{"records":[]},"data":{"records":[]}}', ["data", "records"]],
    ["meets a duplicate one level down", '{"data":{"records":[],"records":[]}}', ["data", "records"]],
  ])("a path that %s", (_, text, arrayPath) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(scanPage(Buffer.from(text), options(arrayPath))).toBeUndefined();
  });

  it("an element nested deeper than 10,000 levels", () => {
    const deep = `{"items":[${"[".repeat(10_001)}1${"]".repeat(10_001)}]}`;
    expect(scanPage(Buffer.from(deep), options(["items"]))).toBeUndefined();
  });
});

/** mulberry32: small, seeded, good enough to pick mutations reproducibly. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A random JSON value: nested containers, awkward strings and numbers, names that skipKeys removes. */
function randomValue(random: () => number, depth: number): unknown {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const kind = Math.floor(random() * (depth > 3 ? 4 : 6));
  if (kind === 0) return pick([0, -0.5, 1e21, 123, -7, 2.5, 2e-7]);
  if (kind === 1) return pick(["", "a", 'q"uo\\te', "ü日🚀", "line\nbreak\t", "\u0001\u001f", "[{,:}]", "_links"]);
  if (kind === 2) return pick([true, false, null]);
  if (kind === 3) return Array.from({ length: Math.floor(random() * 3) }, () => randomValue(random, depth + 1));
  if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  const names = ["a", "_links", "total", "ü", 'k"', "items", "b"];
  return Object.fromEntries(
    Array.from({ length: Math.floor(random() * 5) }, () => [pick(names), randomValue(random, depth + 1)]),
  );
}

const seedDocuments: [string, PageScanOptions][] = [
  [
    '{"items":[{"id":1,"_links":{"self":"x"},"s":"a\\"b\\\\","n":-1.5e+3},[1,[2]],"x",null],"total":2}',
    options(["items"], ["_links", "total"]),
  ],
  [
    '{\n  "data": {\n    "records": [\n      {"a": true, "b": [1, 2]},\n      {"\\u0061": "\\u00e9"}\n    ]\n  },\n  "next": null\n}',
    options(["data", "records"], ["a"]),
  ],
  ['[{"a":1},{"b":[{"c":"}"}]},3,"[",false]', options([], ["b"])],
  ['{"meta":{"items":[]},"items":[0,-0,1e5,0.5,{"_links":1}],"z":"ü"}', options(["items"], ["_links"])],
];

const alphabet = Buffer.from('{}[]",:\\/ \n\t\r0123456789-+.eEtrufalsnu_xitems');

function mutate(document: Buffer, random: () => number): Buffer {
  let bytes = Buffer.from(document);
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (bytes.length + 1));
    const byte =
      random() < 0.03 ? Math.floor(random() * 256) : (alphabet[Math.floor(random() * alphabet.length)] as number);
    const op = random();
    if (op < 0.35) bytes = Buffer.concat([bytes.subarray(0, at), Buffer.of(byte), bytes.subarray(at)]);
    else if (op < 0.7) bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    else if (at < bytes.length) bytes[at] = byte;
  }
  return bytes;
}

/**
 * Whether a valid page is one scanPage may rightly refuse because a path name could occur twice in one
 * object (counted by its plain spelling; any \u escape could spell it otherwise, so those pages are skipped).
 */
function mayHaveDuplicatePathMember(text: string, { arrayPath }: PageScanOptions): boolean {
  return text.includes("\\u") || arrayPath.some((name) => text.split(JSON.stringify(name)).length > 2);
}

describe("scanPage fuzzing", () => {
  it("answers every random valid page, in any layout, exactly as JSON.parse reads it", () => {
    const random = prng(7);
    for (let n = 0; n < 400; n++) {
      const records = Array.from({ length: Math.floor(random() * 5) }, () => randomValue(random, 0));
      const scanOptions = options(n % 2 === 0 ? ["items"] : [], ["_links", "total"]);
      const root = n % 2 === 0 ? { before: randomValue(random, 2), items: records, total: 2 } : records;
      const text = JSON.stringify(root, null, n % 3 === 0 ? 2 : n % 3 === 1 ? "\t" : undefined);
      const page = Buffer.from(text);
      const problem = scanPage(page, scanOptions) === undefined ? "refused" : unsoundness(page, scanOptions);
      if (problem !== undefined) expect({ text, problem }).toBeUndefined();
    }
  });

  it("stays sound, and refuses only documented cases, under thousands of random byte mutations", () => {
    const random = prng(42);
    let accepted = 0;
    for (const [text, scanOptions] of seedDocuments) {
      const document = Buffer.from(text);
      expect(scanPage(document, scanOptions)).toBeDefined();
      expect(unsoundness(document, scanOptions)).toBeUndefined();
      for (let n = 0; n < 1500; n++) {
        const page = mutate(document, random);
        const problem = unsoundness(page, scanOptions);
        if (problem !== undefined) expect({ page: page.toString("latin1"), problem }).toBeUndefined();
        if (scanPage(page, scanOptions) !== undefined) {
          accepted++;
          continue;
        }
        // Completeness: a refusal must be one of the documented cases.
        let expected: unknown[] | undefined;
        try {
          expected = expectedElements(page.toString("utf8"), scanOptions);
        } catch {
          continue;
        }
        const pageText = page.toString("utf8");
        if (expected !== undefined && isUtf8(page) && !mayHaveDuplicatePathMember(pageText, scanOptions)) {
          expect({ page: pageText, problem: "refused" }).toBeUndefined();
        }
      }
    }
    // The mutations must leave a fair share of pages valid, or the soundness checks above test little.
    expect(accepted).toBeGreaterThan(500);
  });
});
