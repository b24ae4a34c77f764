/**
 * JSONPath compiled once per read. The path is parsed by jsonpath-rfc9535's grammar (no eval, no
 * script: a script payload is a syntax error). Paths made only of member names (`$.a.b`, `a.b`,
 * `$['a']`) are then walked directly over own properties (the common and hot case); anything else
 * is evaluated by the library. Of the filter functions only `length()`, `count()` and `value()`
 * are allowed: `match()` and `search()` would run a tenant-supplied regular expression, which
 * could make a page take forever to evaluate (ReDoS).
 */
import { query } from "jsonpath-rfc9535";
import parse, { type JsonPathQuery } from "jsonpath-rfc9535/parser";
import { EngineError } from "./errors.ts";

export interface CompiledPath {
  readonly source: string;
  /** Keys of a member-name-only path; undefined for a general expression. */
  readonly keys?: readonly string[];
  /** True when the path selects at most one node (names and indexes only, RFC 9535 §2.3.5.1). */
  readonly singular: boolean;
  /** The last member name in the path (`items` in `$.data.items[*]`), used to name wrappers. */
  readonly lastName?: string;
  /** The member name of the first segment (`data` in `$.data.items`), when it is one. */
  readonly rootName?: string;
  /** All values the path selects. */
  select(input: unknown): unknown[];
  /** The first value, or undefined. */
  first(input: unknown): unknown;
}

/** RFC 9535's functions minus match() and search(), whose patterns could make a page never finish (ReDoS). */
const allowedFunctions = new Set(["length", "count", "value"]);

function functionNames(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const child of node) functionNames(child, out);
  else if (node !== null && typeof node === "object") {
    const record = node as Record<string, unknown>;
    if (record.type === "FunctionExpr" && typeof record.name === "string") out.add(record.name);
    for (const value of Object.values(record)) functionNames(value, out);
  }
  return out;
}

interface Shape {
  readonly keys?: string[];
  readonly singular: boolean;
  readonly lastName?: string;
  readonly rootName?: string;
}

function shapeOf(ast: JsonPathQuery): Shape {
  const keys: string[] = [];
  let onlyNames = true;
  let singular = true;
  let lastName: string | undefined;
  let rootName: string | undefined;
  for (const [position, segment] of ast.segments.entries()) {
    if (segment.type === "DescendantSegment") singular = false;
    const node = segment.node;
    let name: string | undefined;
    let index = false;
    if (node.type === "MemberNameShorthand") name = node.value;
    else if (node.type === "BracketedSelection" && node.selectors.length === 1) {
      const selector = node.selectors[0];
      if (selector?.type === "NameSelector") name = selector.value;
      else if (selector?.type === "IndexSelector") index = true;
    }
    if (name !== undefined) {
      if (position === 0 && segment.type === "ChildSegment") rootName = name;
      lastName = name;
      keys.push(name);
    } else onlyNames = false;
    if (name === undefined && !index) singular = false;
    if (segment.type === "DescendantSegment") onlyNames = false;
  }
  return {
    singular,
    ...(onlyNames ? { keys } : {}),
    ...(lastName === undefined ? {} : { lastName }),
    ...(rootName === undefined ? {} : { rootName }),
  };
}

function walk(input: unknown, keys: readonly string[]): unknown {
  let node = input;
  for (const key of keys) {
    if (node === null || typeof node !== "object" || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function compilePath(path: string, what: string): CompiledPath {
  if (typeof path !== "string" || path.trim() === "")
    throw new EngineError("spec", `${what} must be a non-empty JSONPath`);
  const source = path.trim();
  // The docs write both `$.paging.next` and `paging.next`.
  const expression = source.startsWith("$") ? source : `$.${source}`;
  let ast: JsonPathQuery;
  try {
    ast = parse(expression);
  } catch (cause) {
    throw new EngineError("spec", `${what} "${source}" is not a valid RFC 9535 JSONPath: ${(cause as Error).message}`);
  }
  for (const name of functionNames(ast, new Set())) {
    if (allowedFunctions.has(name)) continue;
    const why =
      name === "match" || name === "search"
        ? "regular-expression functions are not allowed in source paths"
        : `only ${[...allowedFunctions].map((n) => `${n}()`).join(", ")} are`;
    throw new EngineError("spec", `${what} "${source}" uses ${name}(): ${why}`);
  }
  const shape = shapeOf(ast);
  const common = {
    source,
    singular: shape.singular,
    ...(shape.lastName === undefined ? {} : { lastName: shape.lastName }),
    ...(shape.rootName === undefined ? {} : { rootName: shape.rootName }),
  };
  const keys = shape.keys;
  if (keys) {
    return {
      ...common,
      keys,
      select: (input) => {
        const value = walk(input, keys);
        return value === undefined ? [] : [value];
      },
      first: (input) => walk(input, keys),
    };
  }
  return {
    ...common,
    select: (input) => query(input as never, expression) as unknown[],
    first: (input) => (query(input as never, expression) as unknown[])[0],
  };
}
