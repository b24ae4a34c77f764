/**
 * The linter's vocabulary: JSON Pointers (RFC 6901) built from path segments, a collector that
 * keeps problems in discovery order without duplicates, and helpers that describe a hostile value
 * in a message without ever stringifying it whole.
 */
import type { Problem } from "../errors.ts";

export type Segment = string | number;
export type Path = readonly Segment[];
export type Json = Record<string, unknown>;

/** Most problems a single report lists; anything beyond is summed up in one last line. */
export const maxProblems = 500;

export interface LintReport {
  readonly valid: boolean;
  readonly problems: readonly Problem[];
}

export function pointer(path: Path): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Own keys only: a spec's `constructor` or `__proto__` key is data, never an inherited member. */
export function own(object: Json, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function ownObject(object: Json, key: string): Json | undefined {
  const value = own(object, key);
  return isObject(value) ? value : undefined;
}

export function ownString(object: Json, key: string): string | undefined {
  const value = own(object, key);
  return typeof value === "string" ? value : undefined;
}

/** `{}` keys of a JSON Schema's `properties`, when it has any. */
export function declaredProperties(schema: unknown): Set<string> {
  if (!isObject(schema)) return new Set();
  const properties = ownObject(schema, "properties");
  return new Set(properties ? Object.keys(properties) : []);
}

/** A short, safe rendering of a value for a message: strings are cut, containers are named. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length} item(s)`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return quote(value);
  return String(value);
}

export function quote(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

/** Collects problems once each, in the order they were found, up to `maxProblems`. */
export class ProblemList {
  private readonly items: Problem[] = [];
  private readonly seen = new Set<string>();
  private dropped = 0;

  error(path: Path, message: string): void {
    this.add({ pointer: pointer(path), message, severity: "error" });
  }

  warning(path: Path, message: string): void {
    this.add({ pointer: pointer(path), message, severity: "warning" });
  }

  add(problem: Problem): void {
    const key = `${problem.severity}\u0000${problem.pointer}\u0000${problem.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.items.length >= maxProblems) {
      this.dropped += 1;
      return;
    }
    this.items.push(problem);
  }

  report(): LintReport {
    const problems = [...this.items];
    if (this.dropped > 0) {
      problems.push({
        pointer: "",
        message: `${this.dropped} more problem(s) were found but not listed; fix the ones above and lint again.`,
        severity: problems.some((p) => p.severity === "error") ? "error" : "warning",
      });
    }
    return { valid: !problems.some((p) => p.severity === "error"), problems };
  }
}

/** Levenshtein distance, cut off early for long inputs (suggestions only need short words). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? Math.max(a.length, b.length);
}

/** The candidate nearest to `text` (case-insensitive), when it is close enough to be a likely typo. */
export function nearest(text: string, candidates: readonly string[], maxDistance = 3): string | undefined {
  if (text.length > 64) return undefined;
  const lower = text.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(maxDistance, Math.floor(lower.length / 3)) ? best : undefined;
}

/** " (did you mean \"x\"?)" or nothing. */
export function didYouMean(text: string, candidates: readonly string[]): string {
  const guess = nearest(text, candidates);
  return guess === undefined || guess === text ? "" : ` (did you mean "${guess}"?)`;
}

/** Where a JSON value nests deeper than `limit`, found without recursion (hostile input is deep). */
export function depthExceeds(value: unknown, limit: number): Path | undefined {
  interface Node {
    readonly value: unknown;
    readonly depth: number;
    readonly key?: Segment;
    readonly parent?: Node;
  }
  const stack: Node[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (node.depth > limit) {
      const path: Segment[] = [];
      for (let n: Node | undefined = node; n?.key !== undefined; n = n.parent) path.unshift(n.key);
      return path;
    }
    const child = (item: unknown, key: Segment) => {
      stack.push({ value: item, depth: node.depth + 1, key, parent: node });
    };
    if (Array.isArray(node.value)) for (const [i, item] of node.value.entries()) child(item, i);
    else if (isObject(node.value)) for (const key of Object.keys(node.value)) child(node.value[key], key);
  }
  return undefined;
}

/** Reports fields of `object` outside `known` as warnings: they are kept, but may be typos. */
export function warnUnknownFields(
  problems: ProblemList,
  object: Json,
  path: Path,
  known: readonly string[],
  where: string,
): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    problems.warning(
      [...path, key],
      `${quote(key)} is not a field Inlet knows in ${where}; it is kept as is${didYouMean(key, known)}.`,
    );
  }
}
