/**
 * Record extraction per spec §4.5.
 * 1. `contentPath.path` selects the records: a singular path (names and indexes) must point at an
 *    array, whose elements are the records; a non-singular path (`[*]`, a filter, `..`) selects the
 *    elements itself.
 * 2. Each record holds the response's root-level siblings of the array plus the element under the
 *    wrapper W (`overrideWrapperAttribute`, else the array's own name).
 * 3. `keepAttributes` keeps only the named siblings (W always stays); `skipAttributes` then removes
 *    named attributes from the siblings and from the element (the Members example skips `_links`
 *    and `list_id`, which MailChimp repeats in every member).
 * 4. `explodeEntityPath` (a member path written with the wrapper, e.g. `$.email.activity`) replaces
 *    the sub-array by each of its elements in turn: one record per element, none for an empty or
 *    missing sub-array (a cross apply). Its own keep/skip lists filter the exploded level.
 * Siblings are filtered once per page, so the per-record cost is one small object.
 * The JSON-text variant builds the same records around sliced elements: a wrapped record is the
 * serialised siblings, the wrapper's name, the element's bytes and a closing brace.
 */
import { EngineError } from "./errors.ts";
import { type CompiledPath, compilePath } from "./json-path.ts";
import { scanPage } from "./raw/scan-page.ts";

export interface PathSettings {
  readonly path: string;
  readonly skipAttributes?: readonly string[];
  readonly keepAttributes?: readonly string[];
  readonly overrideWrapperAttribute?: string;
}

export interface PageContext {
  readonly url: string;
  readonly status: number;
  /** The start of the body, redacted; only called to build an error. */
  readonly excerpt: () => string;
}

export interface Extractor {
  /** Records of one parsed page, and how many elements contentPath selected (the page size unit). */
  records(
    body: unknown,
    context: PageContext,
  ): { readonly records: Record<string, unknown>[]; readonly itemCount: number };
  readonly contentPath: CompiledPath;
  /**
   * The page's records as JSON text sliced from the response (raw/scan-page.ts), with the body
   * minus the records for the paginator; undefined when the page is not strictly valid JSON or
   * contentPath does not lead to an array there (the object path then reports why). Absent when
   * the spec needs parsed records: an explode, or a contentPath that is not a plain member path.
   */
  readonly jsonRecords?: (page: Buffer) => JsonRecords | undefined;
}

export interface JsonRecords {
  readonly body: unknown;
  readonly records: Buffer[];
  readonly itemCount: number;
}

type Json = Record<string, unknown>;

function pathSettings(value: unknown, what: string): PathSettings {
  if (typeof value === "string") return { path: value };
  if (value !== null && typeof value === "object" && typeof (value as PathSettings).path === "string") {
    const v = value as PathSettings;
    for (const list of ["skipAttributes", "keepAttributes"] as const) {
      if (v[list] !== undefined && !(Array.isArray(v[list]) && v[list].every((x) => typeof x === "string"))) {
        throw new EngineError("spec", `${what}.${list} must be an array of strings`);
      }
    }
    const wrapper = v.overrideWrapperAttribute;
    if (wrapper !== undefined && (typeof wrapper !== "string" || wrapper === ""))
      throw new EngineError("spec", `${what}.overrideWrapperAttribute must be a non-empty string`);
    return v;
  }
  throw new EngineError("spec", `${what} must be a JSONPath string or an object with "path"`);
}

function filterKeys(object: Json, keep: ReadonlySet<string> | undefined, skip: ReadonlySet<string>, except?: string) {
  const out: Json = {};
  for (const key of Object.keys(object)) {
    if (key === except) continue;
    if (keep && !keep.has(key)) continue;
    if (skip.has(key)) continue;
    out[key] = object[key];
  }
  return out;
}

/** The element without skipped keys; the same object when it has none of them (the usual case). */
function withoutSkipped(element: unknown, skip: ReadonlySet<string>): unknown {
  if (skip.size === 0 || element === null || typeof element !== "object" || Array.isArray(element)) return element;
  const object = element as Json;
  for (const key of skip) if (Object.hasOwn(object, key)) return filterKeys(object, undefined, skip);
  return element;
}

interface ExplodePlan {
  readonly parentKeys: readonly string[];
  readonly arrayKey: string;
  readonly wrapper: string;
  readonly keep?: ReadonlySet<string>;
  readonly skip: ReadonlySet<string>;
}

function explodePlan(value: unknown, contentWrapper: string, arrayName: string | undefined): ExplodePlan | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const settings = pathSettings(value, "explodeEntityPath");
  const compiled = compilePath(settings.path, "explodeEntityPath.path");
  if (!compiled.keys || compiled.keys.length === 0) {
    throw new EngineError(
      "spec",
      `explodeEntityPath.path "${settings.path}" must be a plain member path such as $.email.activity`,
    );
  }
  const keys = [...compiled.keys];
  // The docs write the path with the renamed wrapper; accept the array's original name too.
  if (keys.length > 1 && keys[0] === arrayName && arrayName !== contentWrapper) keys[0] = contentWrapper;
  const arrayKey = keys[keys.length - 1] as string;
  return {
    parentKeys: keys.slice(0, -1),
    arrayKey,
    wrapper: settings.overrideWrapperAttribute ?? arrayKey,
    skip: new Set(settings.skipAttributes ?? []),
    ...(settings.keepAttributes ? { keep: new Set(settings.keepAttributes) } : {}),
  };
}

/** Replaces the sub-array on the record's path by each of its elements in turn (copying only that path). */
function explode(record: Json, plan: ExplodePlan, out: Json[]): void {
  const chain: Json[] = [record];
  let node: unknown = record;
  for (const key of plan.parentKeys) {
    node = Object.hasOwn(node as Json, key) ? (node as Json)[key] : undefined;
    if (node === null || typeof node !== "object" || Array.isArray(node)) return;
    chain.push(node as Json);
  }
  const parent = chain[chain.length - 1] as Json;
  const items = parent[plan.arrayKey];
  if (!Array.isArray(items)) return;
  const base = filterKeys(parent, plan.keep, plan.skip, plan.arrayKey);
  for (const item of items) {
    let rebuilt: Json = { ...base, [plan.wrapper]: item };
    for (let level = chain.length - 2; level >= 0; level--) {
      rebuilt = { ...(chain[level] as Json), [plan.parentKeys[level] as string]: rebuilt };
    }
    out.push(rebuilt);
  }
}

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

export function createExtractor(contentPathValue: unknown, explodeValue: unknown): Extractor {
  const settings = pathSettings(contentPathValue, "contentPath");
  const contentPath = compilePath(settings.path, "contentPath.path");
  const wrapper = settings.overrideWrapperAttribute ?? contentPath.lastName ?? "record";
  const overridden = settings.overrideWrapperAttribute !== undefined;
  const skip = new Set(settings.skipAttributes ?? []);
  const keep = settings.keepAttributes ? new Set(settings.keepAttributes) : undefined;
  const plan = explodePlan(explodeValue, wrapper, contentPath.lastName);

  /** Each element with `prefix` before it and `}` after, all in one buffer (one allocation per page). */
  const wrapAll = (elements: readonly Buffer[], prefix: Buffer, only?: (element: Buffer) => boolean) => {
    let total = 0;
    for (const element of elements) total += element.length + (only && !only(element) ? 0 : prefix.length + 1);
    const arena = Buffer.allocUnsafe(total);
    const out: Buffer[] = [];
    let at = 0;
    for (const element of elements) {
      const start = at;
      const wrap = !only || only(element);
      if (wrap) at += prefix.copy(arena, at);
      at += element.copy(arena, at);
      if (wrap) arena[at++] = 0x7d; // }
      out.push(arena.subarray(start, at));
    }
    return out;
  };
  const arrayPath = !plan && contentPath.singular ? contentPath.keys : undefined;
  const jsonRecords =
    arrayPath === undefined
      ? undefined
      : (page: Buffer): JsonRecords | undefined => {
          const scanned = scanPage(page, { arrayPath, skipKeys: skip });
          if (!scanned) return undefined;
          const rest = `${page.toString("utf8", 0, scanned.arrayStart)}[]${page.toString("utf8", scanned.arrayEnd)}`;
          const body: unknown = JSON.parse(rest);
          const itemCount = scanned.elements.length;
          const siblings =
            isObject(body) && contentPath.rootName !== undefined
              ? filterKeys(body, keep, skip, contentPath.rootName)
              : undefined;
          const bare = siblings === undefined || Object.keys(siblings).length === 0;
          if (bare && siblings === undefined && !overridden && scanned.allObjects)
            return { body, records: scanned.elements, itemCount };
          const name = JSON.stringify(wrapper);
          if (bare) {
            const prefix = Buffer.from(`{${name}:`);
            // As the object path: with no siblings, only elements that are not objects get wrapped.
            const only = siblings !== undefined || overridden ? undefined : (element: Buffer) => element[0] !== 0x7b;
            return { body, records: wrapAll(scanned.elements, prefix, only), itemCount };
          }
          // The wrapper replaces a sibling of the same name, as the object path's spread does.
          const { [wrapper]: _replaced, ...others } = siblings as Json;
          const head = JSON.stringify(others).slice(1, -1);
          const prefix = Buffer.from(`{${head}${head === "" ? "" : ","}${name}:`);
          return { body, records: wrapAll(scanned.elements, prefix), itemCount };
        };

  return {
    contentPath,
    ...(jsonRecords ? { jsonRecords } : {}),
    records(body, context) {
      const found = contentPath.select(body);
      const array = contentPath.singular ? found[0] : found;
      if (!Array.isArray(array)) {
        const excerpt = context.excerpt();
        const got = array === undefined ? "nothing" : array === null ? "null" : `a JSON ${typeof array}`;
        throw new EngineError(
          "extraction",
          `contentPath ${contentPath.source} does not point at an array (found ${got}) in the response of ${context.url} (status ${context.status}): ${excerpt}`,
          { url: context.url, status: context.status, bodyExcerpt: excerpt },
        );
      }
      // Siblings are the root keys other than the one the array hangs from.
      const siblings =
        isObject(body) && contentPath.rootName !== undefined
          ? filterKeys(body, keep, skip, contentPath.rootName)
          : undefined;
      const bare = siblings === undefined || Object.keys(siblings).length === 0;
      const out: Json[] = [];
      const target: Json[] = plan ? [] : out;
      for (const element of array) {
        const value = withoutSkipped(element, skip);
        if (!bare) target.push({ ...siblings, [wrapper]: value });
        else if (siblings !== undefined || overridden || !isObject(value)) target.push({ [wrapper]: value });
        else target.push(value);
      }
      if (plan) for (const record of target) explode(record, plan, out);
      return { records: out, itemCount: array.length };
    },
  };
}
