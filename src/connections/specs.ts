/** Reading the parts of a connection spec that connections need (spec §1.2, §3, §4.1). */
import { FlowError } from "../errors.ts";
import { dataLakeConnectionSpecId } from "../specs/index.ts";
import { globalScope, type JsonObject, type MetadataStore, type StoredResource } from "../store/metadata-store.ts";
import { sameJson } from "./resources.ts";
import { isObject } from "./secret-fields.ts";

/** Adobe's fixed Data Lake target connection spec (spec §0); the only target Inlet writes to. */
export const dataLakeTargetSpecId: string = dataLakeConnectionSpecId;

export interface SpecRef {
  readonly id: string;
  readonly version: string;
}

/**
 * The connection spec a body names. An unknown id is `1413` (invalid spec id, 400): the id is a
 * value in the body, not the resource the URL addresses, so a 404 would read as "no such endpoint".
 */
export async function loadConnectionSpec(store: MetadataStore, id: string): Promise<StoredResource> {
  const spec = await store.getResource("connectionSpecs", globalScope, id);
  if (!spec) {
    throw new FlowError("invalidSpecId", `Connection spec ${id} does not exist; check connectionSpec.id.`, {
      id,
      type: "connectionSpecs",
    });
  }
  return spec;
}

/**
 * `connectionSpec.version` is optional and defaults to the spec's (spec §1.4: "the latest"; Inlet
 * keeps one version per spec). A version other than the stored one is refused with 1413.
 */
export function resolveSpecRef(spec: StoredResource, requested: unknown): SpecRef {
  const current = typeof spec.doc.version === "string" && spec.doc.version !== "" ? spec.doc.version : "1.0";
  if (requested === undefined || requested === null || requested === "") return { id: spec.id, version: current };
  if (requested !== current) {
    throw new FlowError(
      "invalidSpecId",
      `Connection spec ${spec.id} has version ${current}, not ${String(requested)}; omit connectionSpec.version or send ${current}.`,
      { id: spec.id, type: "connectionSpecs" },
    );
  }
  return { id: spec.id, version: current };
}

/** The JSON Schema of source-connection params: `sourceSpec.spec`, or the nested `sourceSpec.attributes.spec` (spec §4.1). */
export function sourceParamsSchema(spec: JsonObject): JsonObject | undefined {
  const sourceSpec = isObject(spec.sourceSpec) ? spec.sourceSpec : {};
  const attributes = isObject(sourceSpec.attributes) ? sourceSpec.attributes : {};
  const schema = sourceSpec.spec ?? attributes.spec;
  return isObject(schema) ? schema : undefined;
}

/** True when the spec declares credentials (a base connection is then needed to read). */
export function needsCredentials(spec: JsonObject): boolean {
  return Array.isArray(spec.authSpec) && spec.authSpec.length > 0;
}

export function specRefOf(doc: JsonObject): SpecRef | undefined {
  const ref = doc.connectionSpec;
  if (!isObject(ref) || typeof ref.id !== "string") return undefined;
  return { id: ref.id, version: typeof ref.version === "string" ? ref.version : "" };
}

/** `connectionSpec: {id, version?}` in the create bodies of all three kinds of connection. */
export const specRefSchema = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", minLength: 1 }, version: { type: "string" } },
} as const;

/** A connection's connection spec is immutable (1414), whatever the kind of connection. */
export function assertSameConnectionSpec(patched: JsonObject, previous: StoredResource, noun: string): void {
  if (sameJson(patched.connectionSpec, previous.doc.connectionSpec)) return;
  throw new FlowError("connectionSpecImmutable", `The connection spec of ${noun} ${previous.id} cannot be updated.`, {
    id: previous.id,
    type: previous.kind,
  });
}
