import { FlowError } from "../../errors.ts";
import type { FieldPath, Filter, ListQuery, SortKey } from "./list-query.ts";

export type Item = Readonly<Record<string, unknown>>;

export type ListResult =
  | { readonly kind: "count"; readonly count: number }
  | { readonly kind: "page"; readonly items: Item[]; readonly nextToken: string | undefined };

/** Every value a path reaches; `[]` segments fan out over arrays. */
export function valuesAt(item: unknown, path: FieldPath): unknown[] {
  let current: unknown[] = [item];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== "object" || Array.isArray(value)) continue;
      const child = (value as Record<string, unknown>)[segment.key];
      if (child === undefined) continue;
      if (segment.each) {
        if (Array.isArray(child)) next.push(...child);
      } else next.push(child);
    }
    current = next;
  }
  return current;
}

function compareScalar(value: unknown, text: string): number | undefined {
  if (typeof value === "number") {
    const other = Number(text);
    return Number.isNaN(other) ? undefined : Math.sign(value - other);
  }
  if (typeof value === "boolean") return String(value) === text ? 0 : undefined;
  if (typeof value === "string") return value < text ? -1 : value > text ? 1 : 0;
  return undefined;
}

function matchesOne(value: unknown, operator: Filter["operator"], text: string): boolean {
  const order = compareScalar(value, text);
  if (order === undefined) return false;
  switch (operator) {
    case "==":
    case "!=":
      return order === 0;
    case ">":
      return order > 0;
    case "<":
      return order < 0;
    case ">=":
      return order >= 0;
    case "<=":
      return order <= 0;
  }
}

export function matchesFilter(item: Item, filter: Filter): boolean {
  const values = valuesAt(item, filter.path);
  const anyMatch = values.some((value) => filter.values.some((text) => matchesOne(value, filter.operator, text)));
  return filter.operator === "!=" ? !anyMatch : anyMatch;
}

/** Orders missing values last, then numbers, then strings; ties fall back to the id. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const left = typeof a === "string" ? a : JSON.stringify(a);
  const right = typeof b === "string" ? b : JSON.stringify(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

function sortValues(item: Item, orderBy: readonly SortKey[]): unknown[] {
  return [...orderBy.map((key) => valuesAt(item, key.path)[0]), item.id];
}

function compareKeys(a: readonly unknown[], b: readonly unknown[], orderBy: readonly SortKey[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = compareValues(a[i], b[i]);
    if (order !== 0) return orderBy[i]?.descending ? -order : order;
  }
  return 0;
}

/**
 * Continuation tokens are keyset positions (the last item's sort values), so a page boundary
 * stays right when items are added or removed between requests; the query's ordering is
 * fingerprinted so a token cannot be replayed under another orderby.
 */
interface TokenPayload {
  readonly o: string;
  readonly k: unknown[];
}

function orderFingerprint(orderBy: readonly SortKey[]): string {
  return orderBy.map((key) => `${key.descending ? "-" : "+"}${key.path.map((s) => s.key).join(".")}`).join(",");
}

function encodeToken(payload: TokenPayload): string {
  return Buffer.from(JSON.stringify(payload)).toString("base64url");
}

function decodeToken(token: string, orderBy: readonly SortKey[]): unknown[] {
  try {
    const payload = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as TokenPayload;
    if (payload.o === orderFingerprint(orderBy) && Array.isArray(payload.k)) return payload.k;
  } catch {
    // falls through to the error below
  }
  throw new FlowError("badQueryParam", "continuationToken is not valid for this query; start again without it.", {
    parameter: "continuationToken",
  });
}

export function applyList(items: readonly Item[], query: ListQuery): ListResult {
  const filtered = items.filter((item) => query.filters.every((filter) => matchesFilter(item, filter)));
  if (query.count) return { kind: "count", count: filtered.length };
  const keyed = filtered.map((item) => ({ item, key: sortValues(item, query.orderBy) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key, query.orderBy));
  let start = 0;
  if (query.continuationToken !== undefined) {
    const after = decodeToken(query.continuationToken, query.orderBy);
    start = keyed.findIndex((entry) => compareKeys(entry.key, after, query.orderBy) > 0);
    if (start === -1) start = keyed.length;
  }
  const page = keyed.slice(start, start + query.limit);
  const hasMore = start + query.limit < keyed.length;
  const last = page.at(-1);
  return {
    kind: "page",
    items: page.map((entry) => project(entry.item, query.projection)),
    nextToken: hasMore && last ? encodeToken({ o: orderFingerprint(query.orderBy), k: last.key }) : undefined,
  };
}

function project(item: Item, projection: readonly string[] | undefined): Item {
  if (!projection) return item;
  const picked: Record<string, unknown> = { id: item.id };
  // Own fields only: `in` would also pick inherited names (`constructor`, `__proto__`, `toString`).
  for (const name of projection) if (Object.hasOwn(item, name)) picked[name] = item[name];
  return picked;
}
