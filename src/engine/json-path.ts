/**
 * JSONPath compiled once per read. Simple member paths (`$.a.b`, `a.b`, `$['a']`) become a list of
 * keys walked directly (the common case, and the hot one); anything else goes to jsonpath-rfc9535,
 * which parses RFC 9535 syntax and never evaluates script, so a hostile path fails to compile.
 */
import { query } from "jsonpath-rfc9535";
import { EngineError } from "./errors.ts";

export interface CompiledPath {
  readonly source: string;
  /** Keys of a simple member path; undefined for a general expression. */
  readonly keys?: readonly string[];
  /** All values the path selects. */
  select(input: unknown): unknown[];
  /** The first value, or undefined. */
  first(input: unknown): unknown;
}

const simpleSegment = /^(?:\.([A-Za-z_$][\w$-]*)|\['([^'\\]*)'\]|\["([^"\\]*)"\])/;

function simpleKeys(path: string): string[] | undefined {
  let rest = path.startsWith("$") ? path.slice(1) : `.${path}`;
  const keys: string[] = [];
  while (rest.length > 0) {
    const m = simpleSegment.exec(rest);
    if (!m) return undefined;
    keys.push((m[1] ?? m[2] ?? m[3]) as string);
    rest = rest.slice(m[0].length);
  }
  return keys;
}

function walk(input: unknown, keys: readonly string[]): unknown {
  let node = input;
  for (const key of keys) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function compilePath(path: string, what: string): CompiledPath {
  if (typeof path !== "string" || path.trim() === "")
    throw new EngineError("spec", `${what} must be a non-empty JSONPath`);
  const source = path.trim();
  const keys = simpleKeys(source);
  if (keys) {
    return {
      source,
      keys,
      select: (input) => {
        const value = walk(input, keys);
        return value === undefined ? [] : [value];
      },
      first: (input) => walk(input, keys),
    };
  }
  const expression = source.startsWith("$") ? source : `$.${source}`;
  try {
    query({}, expression); // parses, so a bad or hostile path fails at compile time, not per page
  } catch (cause) {
    throw new EngineError("spec", `${what} "${source}" is not a valid RFC 9535 JSONPath: ${(cause as Error).message}`);
  }
  return {
    source,
    select: (input) => query(input as never, expression) as unknown[],
    first: (input) => (query(input as never, expression) as unknown[])[0],
  };
}
