/**
 * JSONPath checks (contentPath, explodeEntityPath, pointerPath, continuationTokenPath,
 * endConditionName). A path must compile with the engine's `compilePath`, which hands anything
 * beyond plain member access to jsonpath-rfc9535: a grammar-based parser that never evaluates code
 * (libraries.md §1.3). That parser accepts any function name in a filter and only fails when the
 * filter runs, so the linter also walks the parsed path and refuses functions RFC 9535 does not define.
 */
import parse from "jsonpath-rfc9535/parser";
import { compilePath } from "../engine/json-path.ts";

/** The function extensions RFC 9535 defines (§2.4.4-2.4.8). */
const rfcFunctions = ["length", "count", "match", "search", "value"];

const advice = `Write it like "$.data.items" or "paging.next"; filters use RFC 9535 syntax such as [?@.type=='user'], and no script ever runs.`;

function reasonOf(error: unknown): string {
  if (error instanceof RangeError || (error instanceof Error && /call stack/i.test(error.message))) {
    return "it nests too deeply to parse";
  }
  const text = error instanceof Error ? error.message : String(error);
  const after = text.includes("JSONPath: ") ? text.slice(text.indexOf("JSONPath: ") + "JSONPath: ".length) : text;
  return after.length > 160 ? `${after.slice(0, 160)}…` : after;
}

function functionNames(ast: unknown): string[] {
  const names: string[] = [];
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) for (const child of node) stack.push(child);
    else if (node !== null && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (record.type === "FunctionExpr" && typeof record.name === "string") names.push(record.name);
      for (const child of Object.values(record)) stack.push(child);
    }
  }
  return names;
}

/** Why `source` is not a usable JSONPath, as a sentence; undefined when it is fine. */
export function jsonPathProblem(source: string): string | undefined {
  let general: boolean;
  try {
    general = compilePath(source, "path").keys === undefined;
  } catch (error) {
    return `is not a valid JSONPath (RFC 9535): ${reasonOf(error)}. ${advice}`;
  }
  if (!general) return undefined;
  const trimmed = source.trim();
  let ast: unknown;
  try {
    ast = parse(trimmed.startsWith("$") ? trimmed : `$.${trimmed}`);
  } catch (error) {
    return `is not a valid JSONPath (RFC 9535): ${reasonOf(error)}. ${advice}`;
  }
  const unknown = functionNames(ast).filter((name) => !rfcFunctions.includes(name));
  if (unknown.length > 0) {
    const shown = [...new Set(unknown)].slice(0, 3).map((name) => `${name.slice(0, 40)}()`);
    return `calls ${shown.join(", ")}, which RFC 9535 does not define (only ${rfcFunctions.join(", ")}); Inlet never runs script in a JSONPath: write filters such as [?@.type=='user'] or [?length(@.tags) > 0].`;
  }
  return undefined;
}
