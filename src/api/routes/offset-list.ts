import { FlowError } from "../../errors.ts";
import type { StoredResource } from "../../store/metadata-store.ts";

/**
 * The offset paging Catalog and Data Prep use (`limit` + `start`), unlike Flow Service's
 * continuation tokens: `orderBy` (Catalog writes `desc:created`, Data Prep `-createdDate`),
 * exact-match filters, and for Catalog a `properties` projection. Unknown parameters are refused
 * (1451) rather than ignored, so a filter Inlet lacks never silently returns everything.
 */
export interface OffsetListOptions {
  readonly defaultLimit: number;
  readonly maxLimit: number;
  readonly orderStyle: "catalog" | "dataPrep";
  /** Sortable fields by their wire name. */
  readonly orderFields: Readonly<Record<string, (resource: StoredResource) => number | string>>;
  /** Exact-match filters by parameter name. */
  readonly filters: Readonly<Record<string, (resource: StoredResource, value: string) => boolean>>;
  /** Parameters accepted without effect (documented as such). */
  readonly ignored?: readonly string[];
  readonly projection: boolean;
}

export interface OffsetPage {
  readonly items: StoredResource[];
  readonly start: number;
  readonly limit: number;
  readonly total: number;
  /** Top-level properties to keep, when `properties` was given. */
  readonly properties: readonly string[] | undefined;
}

function single(query: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value))
    throw new FlowError("badQueryParam", `Query parameter "${name}" may be given only once.`, { parameter: name });
  return String(value);
}

function integer(text: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new FlowError("badQueryParam", `Query parameter "${name}" must be an integer from ${min} to ${max}.`, {
      parameter: name,
    });
  }
  return Number(text);
}

function parseOrder(text: string, options: OffsetListOptions): { field: string; descending: boolean } {
  const match = options.orderStyle === "catalog" ? /^(?:(asc|desc):)?(.+)$/.exec(text) : /^([+-])?(.+)$/.exec(text);
  const field = match?.[2] ?? "";
  if (!Object.hasOwn(options.orderFields, field)) {
    const example = options.orderStyle === "catalog" ? "desc:created" : "-createdDate";
    throw new FlowError(
      "badSortField",
      `Cannot order by "${text}"; sortable: ${Object.keys(options.orderFields).join(", ")} (e.g. orderBy=${example}).`,
      { parameter: "orderBy" },
    );
  }
  return { field, descending: match?.[1] === "desc" || match?.[1] === "-" };
}

export function offsetPage(
  query: Readonly<Record<string, unknown>>,
  resources: readonly StoredResource[],
  options: OffsetListOptions,
): OffsetPage {
  const known = new Set(["limit", "start", "orderBy", ...Object.keys(options.filters), ...(options.ignored ?? [])]);
  if (options.projection) known.add("properties");
  for (const name of Object.keys(query)) {
    if (!known.has(name)) {
      throw new FlowError(
        "badQueryParam",
        `Query parameter "${name}" is not supported here; supported: ${[...known].join(", ")}.`,
        {
          parameter: name,
        },
      );
    }
  }
  const limit = integer(single(query, "limit"), "limit", 1, options.maxLimit, options.defaultLimit);
  const start = integer(single(query, "start"), "start", 0, Number.MAX_SAFE_INTEGER, 0);
  let items = [...resources];
  for (const [name, matches] of Object.entries(options.filters)) {
    const value = single(query, name);
    if (value !== undefined) items = items.filter((resource) => matches(resource, value));
  }
  const orderBy = single(query, "orderBy");
  if (orderBy !== undefined) {
    const { field, descending } = parseOrder(orderBy, options);
    const key = options.orderFields[field] as (resource: StoredResource) => number | string;
    items.sort((a, b) => {
      const left = key(a);
      const right = key(b);
      const order = left < right ? -1 : left > right ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      return descending ? -order : order;
    });
  }
  const propertiesText = options.projection ? single(query, "properties") : undefined;
  const properties = propertiesText
    ?.split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  return { items: items.slice(start, start + limit), start, limit, total: items.length, properties };
}

/** Keeps only the named top-level properties (Catalog's `properties=name,description`). */
export function project(
  item: Record<string, unknown>,
  properties: readonly string[] | undefined,
): Record<string, unknown> {
  if (properties === undefined) return item;
  const kept: Record<string, unknown> = {};
  for (const name of properties) if (Object.hasOwn(item, name)) kept[name] = item[name];
  return kept;
}
