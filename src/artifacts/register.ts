/**
 * `inlet artifacts register`: creates or replaces each valid source's connection spec by its fixed
 * id, then appends the ids to the RestStorageToAEP flow spec (spec §6). Idempotent: a second run
 * only reads (GET) and reports "unchanged" and "already listed".
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { canonicalConnectionSpec, restStorageToAepFlowSpecId, withoutServerFields } from "../specs/index.ts";
import { artifactSuffixes } from "./files.ts";
import { type FlowResponse, type FlowServiceClient, FlowServiceError } from "./flow-service-client.ts";
import type { SourceReport, ValidationReport } from "./types.ts";

export type SpecOutcome = "created" | "updated" | "unchanged";
export type FlowSpecOutcome = "appended" | "already listed";

export interface RegisterResult {
  readonly source: string;
  readonly id?: string;
  readonly spec?: SpecOutcome;
  readonly flowSpec?: FlowSpecOutcome;
  /** Why this source was not (fully) registered. */
  readonly error?: string;
  readonly errorKind?: "validation" | "auth" | "http" | "network";
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** JSON with object keys sorted, so two documents compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export const sameSpec = (a: Json, b: Json): boolean =>
  canonicalJson(withoutServerFields(a)) === canonicalJson(withoutServerFields(b));

function firstItem(response: FlowResponse): Json | undefined {
  const items = isObject(response.body) ? response.body.items : undefined;
  const item = Array.isArray(items) ? items[0] : undefined;
  return isObject(item) ? item : undefined;
}

const etagOf = (doc: Json): string | undefined => (typeof doc.etag === "string" ? doc.etag : undefined);

async function fetchSpec(client: FlowServiceClient, id: string): Promise<Json | undefined> {
  const response = await client.send("GET", `/connectionSpecs/${encodeURIComponent(id)}`);
  if (response.status === 404) return undefined;
  const item = response.status === 200 ? firstItem(response) : undefined;
  if (!item) throw client.failure(`GET connection spec ${id}`, response);
  return item;
}

/** POST when absent, PUT when different (If-Match, one retry on 412), nothing when equal. */
export async function upsertConnectionSpec(client: FlowServiceClient, id: string, spec: Json): Promise<SpecOutcome> {
  for (let attempt = 0; ; attempt += 1) {
    const existing = await fetchSpec(client, id);
    if (!existing) {
      const created = await client.send("POST", "/connectionSpecs", spec);
      if (created.status === 200 || created.status === 201) return "created";
      throw client.failure(`POST connection spec ${id}`, created);
    }
    // The server stores the canonical layout (sourceSpec.spec beside attributes), so compare that.
    if (sameSpec(existing, canonicalConnectionSpec(spec))) return "unchanged";
    const etag = etagOf(existing);
    const updated = await client.send("PUT", `/connectionSpecs/${encodeURIComponent(id)}`, spec, etag);
    if (updated.status === 200) return "updated";
    if (updated.status !== 412 || attempt > 0) throw client.failure(`PUT connection spec ${id}`, updated);
  }
}

/** Appends the missing ids to the flow spec's sourceConnectionSpecIds; returns the ids it added. */
export async function appendToFlowSpec(
  client: FlowServiceClient,
  ids: readonly string[],
  flowSpecId: string = restStorageToAepFlowSpecId,
): Promise<Set<string>> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await client.send("GET", `/flowSpecs/${encodeURIComponent(flowSpecId)}`);
    const flowSpec = response.status === 200 ? firstItem(response) : undefined;
    if (!flowSpec) throw client.failure(`GET flow spec ${flowSpecId}`, response);
    const listed = Array.isArray(flowSpec.sourceConnectionSpecIds)
      ? (flowSpec.sourceConnectionSpecIds as unknown[])
      : [];
    const missing = [...new Set(ids)].filter((id) => !listed.includes(id));
    if (missing.length === 0) return new Set();
    const body = { ...withoutServerFields(flowSpec), sourceConnectionSpecIds: [...listed, ...missing] };
    const put = await client.send("PUT", `/flowSpecs/${encodeURIComponent(flowSpecId)}`, body, etagOf(flowSpec));
    if (put.status === 200) return new Set(missing);
    if (put.status !== 412 || attempt > 0) throw client.failure(`PUT flow spec ${flowSpecId}`, put);
  }
}

function failureOf(error: unknown): Pick<RegisterResult, "error" | "errorKind"> {
  if (error instanceof FlowServiceError) return { error: error.message, errorKind: error.kind };
  throw error;
}

/**
 * The source's catalog icon stored on its spec as `sourceSpec.attributes.uiAttributes.icon.svg`, an
 * Inlet extension beside Adobe's `icon.key` (the console has no resource server for keys). The SVG
 * was checked by validation (no script, no external reference); the console still shows it only
 * as an <img> data: URI. A spec without uiAttributes, or a folder without the icon file, is unchanged.
 */
export async function withIcon(source: SourceReport, spec: Json): Promise<Json> {
  const sourceSpec = spec.sourceSpec;
  if (!isObject(sourceSpec) || !isObject(sourceSpec.attributes)) return spec;
  const ui = sourceSpec.attributes.uiAttributes;
  if (!isObject(ui)) return spec;
  let svg: string;
  try {
    svg = await readFile(path.join(source.dir, `${source.source}${artifactSuffixes.icon}`), "utf8");
  } catch {
    return spec;
  }
  const icon = { ...(isObject(ui.icon) ? ui.icon : {}), svg };
  const attributes = { ...sourceSpec.attributes, uiAttributes: { ...ui, icon } };
  return { ...spec, sourceSpec: { ...sourceSpec, attributes } };
}

function specId(source: SourceReport): string | undefined {
  return typeof source.spec?.id === "string" ? source.spec.id : undefined;
}

/** Registers every source of a validation report that has no errors. */
export async function registerArtifacts(
  report: ValidationReport,
  client: FlowServiceClient,
  options: { readonly flowSpecId?: string } = {},
): Promise<RegisterResult[]> {
  const results: RegisterResult[] = [];
  for (const source of report.sources) {
    const errors = source.problems.filter((p) => p.severity === "error").length;
    const id = specId(source);
    if (errors > 0 || !source.spec) {
      results.push({
        source: source.source,
        error: `skipped: ${errors} validation error(s); run inlet artifacts validate`,
        errorKind: "validation",
      });
    } else if (id === undefined) {
      results.push({
        source: source.source,
        error: "skipped: the connection spec has no fixed id, so registering it twice would create two specs",
        errorKind: "validation",
      });
    } else {
      try {
        const spec = await withIcon(source, source.spec);
        results.push({ source: source.source, id, spec: await upsertConnectionSpec(client, id, spec) });
      } catch (error) {
        results.push({ source: source.source, id, ...failureOf(error) });
      }
    }
  }
  const registered = results.filter((r) => r.spec !== undefined).map((r) => r.id as string);
  if (registered.length === 0) return results;
  let appended: Set<string>;
  try {
    appended = await appendToFlowSpec(client, registered, options.flowSpecId);
  } catch (error) {
    const failure = failureOf(error);
    return results.map((r) => (r.spec === undefined ? r : { ...r, ...failure }));
  }
  return results.map((r) =>
    r.spec === undefined ? r : { ...r, flowSpec: appended.has(r.id as string) ? "appended" : "already listed" },
  );
}

export function formatRegisterResult(result: RegisterResult): string {
  const parts: string[] = [];
  if (result.spec !== undefined) parts.push(`connection spec ${result.id} ${result.spec}`);
  if (result.flowSpec !== undefined) parts.push(`flow spec ${result.flowSpec}`);
  if (result.error !== undefined) parts.push(result.error);
  return `${result.source}: ${parts.join("; ")}`;
}
