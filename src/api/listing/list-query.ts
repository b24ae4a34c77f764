import { FlowError } from "../../errors.ts";

/**
 * The list conventions of spec §2.3, parsed once per request: `limit`, `continuationToken`,
 * `orderby`, repeatable `property` (a filter when it holds an operator, else a projection, as the
 * spec recommends) and `count`.
 */
export const filterOperators = ["==", "!=", ">=", "<=", ">", "<"] as const;
export type FilterOperator = (typeof filterOperators)[number];

/** A dotted path; a segment flagged `each` was written `name[]` and fans out over an array. */
export type FieldPath = readonly { readonly key: string; readonly each: boolean }[];

export interface Filter {
  readonly text: string;
  readonly path: FieldPath;
  readonly operator: FilterOperator;
  /** Several values after `==`/`!=` mean OR (`id==a,b`). */
  readonly values: readonly string[];
}

export interface SortKey {
  readonly path: FieldPath;
  readonly descending: boolean;
}

export interface ListQuery {
  readonly limit: number;
  readonly continuationToken: string | undefined;
  readonly orderBy: readonly SortKey[];
  readonly filters: readonly Filter[];
  /** Top-level properties to return; undefined means all. */
  readonly projection: readonly string[] | undefined;
  readonly count: boolean;
}

export const defaultPageSize = 100;
export const maxPageSize = 1000;

const segmentPattern = /^[A-Za-z_$@][\w$@-]*(\[\])?$/;

export function parseFieldPath(text: string): FieldPath | undefined {
  if (text === "") return undefined;
  const segments = text.split(".");
  if (!segments.every((segment) => segmentPattern.test(segment))) return undefined;
  return segments.map((segment) =>
    segment.endsWith("[]") ? { key: segment.slice(0, -2), each: true } : { key: segment, each: false },
  );
}

type RawQuery = Readonly<Record<string, unknown>>;

function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    throw new FlowError("badQueryParam", `Query parameter "${name}" may be given only once.`, { parameter: name });
  }
  return String(value);
}

function many(query: RawQuery, name: string): string[] {
  const value = query[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export function parseListQuery(query: RawQuery): ListQuery {
  const count = parseCount(single(query, "count"));
  const limitText = single(query, "limit");
  if (count && limitText !== undefined) {
    throw new FlowError("limitWithCount", "Query parameters limit and count cannot be combined.");
  }
  const filters: Filter[] = [];
  const projection: string[] = [];
  for (const property of many(query, "property")) {
    const filter = parseFilter(property);
    if (filter) filters.push(filter);
    else projection.push(...parseProjection(property));
  }
  return {
    limit: parseLimit(limitText),
    continuationToken: single(query, "continuationToken"),
    orderBy: parseOrderBy(single(query, "orderby") ?? single(query, "orderBy")),
    filters,
    projection: projection.length > 0 ? projection : undefined,
    count,
  };
}

function parseCount(text: string | undefined): boolean {
  if (text === undefined || text === "false") return false;
  if (text === "true") return true;
  throw new FlowError("badQueryParam", `Query parameter "count" must be true or false, got "${text}".`, {
    parameter: "count",
  });
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return defaultPageSize;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > maxPageSize) {
    throw new FlowError("badQueryParam", `Query parameter "limit" must be an integer from 1 to ${maxPageSize}.`, {
      parameter: "limit",
    });
  }
  return limit;
}

function parseOrderBy(text: string | undefined): SortKey[] {
  if (text === undefined || text.trim() === "") return [];
  return text.split(",").map((part) => {
    // An unencoded "+" arrives as a space, so a leading space means ascending too.
    const match = /^([ +-]?)(.+)$/.exec(part);
    const path = match ? parseFieldPath(match[2]!.trim()) : undefined;
    if (!match || !path) {
      throw new FlowError(
        "badSortSyntax",
        `Invalid orderby "${part}": write a field name with an optional + or - prefix, e.g. orderby=-createdAt.`,
        { parameter: "orderby" },
      );
    }
    if (path.some((segment) => segment.each)) {
      throw new FlowError("badSortField", `Cannot order by "${part.trim()}": array fields ([]) are not sortable.`, {
        parameter: "orderby",
      });
    }
    return { path, descending: match[1] === "-" };
  });
}

const operatorPattern = /(==|!=|>=|<=|>|<|~|=)/;

/** Undefined when the text holds no operator, i.e. it is a projection. */
function parseFilter(text: string): Filter | undefined {
  const match = operatorPattern.exec(text);
  if (!match) return undefined;
  const pathText = text.slice(0, match.index).trim();
  const rawOperator = match[1]!;
  const valueText = text.slice(match.index + rawOperator.length);
  if (rawOperator === "~") {
    throw new FlowError("operatorNotImplemented", `The operator "~" is not implemented (in "${text}").`);
  }
  if (rawOperator === "=") {
    throw new FlowError("badOperator", `Invalid operator in "${text}": use ==, !=, >, <, >= or <=.`);
  }
  const path = parseFieldPath(pathText);
  if (!path) {
    throw new FlowError("badQueryParam", `Invalid property path "${pathText}" in filter "${text}".`, {
      parameter: "property",
    });
  }
  if (/^[=<>!~]/.test(valueText)) {
    throw new FlowError("badOperator", `Invalid operator in "${text}": use ==, !=, >, <, >= or <=.`);
  }
  const operator = rawOperator as FilterOperator;
  const values = valueText.split(",");
  if (values.some((value) => value === "")) {
    throw new FlowError("badFilterValue", `Filter "${text}" has an empty value.`, { parameter: "property" });
  }
  if (values.length > 1 && operator !== "==" && operator !== "!=") {
    throw new FlowError("multiValueOperator", `Operator "${operator}" takes a single value (in "${text}").`);
  }
  return { text, path, operator, values };
}

function parseProjection(text: string): string[] {
  const names = text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  for (const name of names) {
    if (!/^[A-Za-z_$@][\w$@-]*$/.test(name)) {
      throw new FlowError("badQueryParam", `Invalid property "${name}": expected a filter or top-level field names.`, {
        parameter: "property",
      });
    }
  }
  return names;
}
