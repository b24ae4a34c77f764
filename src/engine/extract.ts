/**
 * Record extraction per spec §4.5: the array at contentPath yields one record per element, each
 * holding the response's root-level siblings plus the element under wrapper W; explodeEntityPath
 * replicates a record per element of a sub-array. Siblings are filtered once per page, so the
 * per-record cost is one small object spread.
 */
import { bodyExcerpt, EngineError } from "./errors.ts";
import { type CompiledPath, compilePath } from "./json-path.ts";

export interface PathSettings {
  readonly path: string;
  readonly skipAttributes?: readonly string[];
  readonly keepAttributes?: readonly string[];
  readonly overrideWrapperAttribute?: string;
}

export interface Extractor {
  /** Records of one parsed page, and how many elements the contentPath array held. */
  records(
    body: unknown,
    context: PageContext,
  ): { readonly records: Record<string, unknown>[]; readonly itemCount: number };
  readonly contentPath: CompiledPath;
}

export interface PageContext {
  readonly url: string;
  readonly status: number;
  readonly raw: Buffer;
}

function pathSettings(value: unknown, what: string): PathSettings {
  if (typeof value === "string") return { path: value };
  if (value !== null && typeof value === "object" && typeof (value as PathSettings).path === "string") {
    const v = value as PathSettings;
    for (const list of ["skipAttributes", "keepAttributes"] as const) {
      if (v[list] !== undefined && !(Array.isArray(v[list]) && v[list].every((x) => typeof x === "string"))) {
        throw new EngineError("spec", `${what}.${list} must be an array of strings`);
      }
    }
    return v;
  }
  throw new EngineError("spec", `${what} must be a JSONPath string or an object with "path"`);
}

function lastName(compiled: CompiledPath): string | undefined {
  if (compiled.keys) return compiled.keys[compiled.keys.length - 1];
  const m = /(?:\.([A-Za-z_$][\w$-]*)|\['([^']+)'\])\s*$/.exec(compiled.source);
  return m ? (m[1] ?? m[2]) : undefined;
}

function filterKeys(
  object: Record<string, unknown>,
  keep: ReadonlySet<string> | undefined,
  skip: ReadonlySet<string>,
  always?: string,
) {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    if (key === always) continue;
    if (keep && !keep.has(key)) continue;
    if (skip.has(key)) continue;
    out[key] = object[key];
  }
  return out;
}

function withoutSkipped(element: unknown, skip: ReadonlySet<string>): unknown {
  if (skip.size === 0 || element === null || typeof element !== "object" || Array.isArray(element)) return element;
  const object = element as Record<string, unknown>;
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

function explodePlan(value: unknown): ExplodePlan | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const settings = pathSettings(value, "explodeEntityPath");
  const compiled = compilePath(settings.path, "explodeEntityPath.path");
  if (!compiled.keys || compiled.keys.length === 0) {
    throw new EngineError(
      "spec",
      `explodeEntityPath.path "${settings.path}" must be a plain member path such as $.email.activity`,
    );
  }
  const keys = compiled.keys;
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
function explode(record: Record<string, unknown>, plan: ExplodePlan, out: Record<string, unknown>[]): void {
  const chain: Record<string, unknown>[] = [record];
  let node: unknown = record;
  for (const key of plan.parentKeys) {
    node = (node as Record<string, unknown>)?.[key];
    if (node === null || typeof node !== "object" || Array.isArray(node)) return;
    chain.push(node as Record<string, unknown>);
  }
  const parent = chain[chain.length - 1] as Record<string, unknown>;
  const items = parent[plan.arrayKey];
  if (!Array.isArray(items)) return;
  const base = filterKeys(parent, plan.keep, plan.skip, plan.arrayKey);
  for (const item of items) {
    let rebuilt: Record<string, unknown> = { ...base, [plan.wrapper]: item };
    for (let level = chain.length - 2; level >= 0; level--) {
      rebuilt = { ...(chain[level] as Record<string, unknown>), [plan.parentKeys[level] as string]: rebuilt };
    }
    out.push(rebuilt);
  }
}

export function createExtractor(contentPathValue: unknown, explodeValue: unknown): Extractor {
  const settings = pathSettings(contentPathValue, "contentPath");
  const contentPath = compilePath(settings.path, "contentPath.path");
  const arrayName = lastName(contentPath);
  const wrapper = settings.overrideWrapperAttribute ?? arrayName ?? "record";
  const skip = new Set(settings.skipAttributes ?? []);
  const keep = settings.keepAttributes ? new Set(settings.keepAttributes) : undefined;
  // Siblings are the root keys other than the one the array hangs from.
  const rootKey = contentPath.keys?.[0];
  const plan = explodePlan(explodeValue);

  return {
    contentPath,
    records(body, context) {
      const found = contentPath.select(body);
      const array = contentPath.keys ? found[0] : found.length === 1 && Array.isArray(found[0]) ? found[0] : found;
      if (!Array.isArray(array)) {
        const excerpt = bodyExcerpt(context.raw);
        throw new EngineError(
          "extraction",
          `contentPath ${contentPath.source} does not point at an array in the response of ${context.url} (status ${context.status}): ${excerpt}`,
          { url: context.url, status: context.status, bodyExcerpt: excerpt },
        );
      }
      const rootIsObject =
        body !== null &&
        typeof body === "object" &&
        !Array.isArray(body) &&
        contentPath.keys !== undefined &&
        contentPath.keys.length > 0;
      const siblings = rootIsObject ? filterKeys(body as Record<string, unknown>, keep, skip, rootKey) : undefined;
      const out: Record<string, unknown>[] = [];
      const target = plan ? [] : out;
      for (const element of array) {
        const value = withoutSkipped(element, skip);
        if (siblings) target.push({ ...siblings, [wrapper]: value });
        else if (
          settings.overrideWrapperAttribute !== undefined ||
          value === null ||
          typeof value !== "object" ||
          Array.isArray(value)
        ) {
          target.push({ [wrapper]: value });
        } else target.push(value as Record<string, unknown>);
      }
      if (plan) for (const record of target) explode(record, plan, out);
      return { records: out, itemCount: array.length };
    },
  };
}
