/**
 * Source connections (`/sourceConnections`, spec §1.5): a base connection plus the user inputs the
 * connection spec's `sourceSpec.spec` declares (e.g. `listId`).
 *
 * Stored document: `{name, description?, baseConnectionId, connectionSpec:{id, version},
 * data:{format}, params, state, inheritedAttributes:{baseConnection:{id, connectionSpec}}}`.
 * `params` secrets (`format: password` in sourceSpec.spec) are sealed like auth params, with the
 * source connection id as associated data. The parent id is the base connection id.
 */
import { FlowError, type Problem } from "../errors.ts";
import type { JsonObject, Scope, StoredResource } from "../store/metadata-store.ts";
import type { ConnectionDeps, PreparedDoc } from "./deps.ts";
import { instanceStates, loadInScope, pick } from "./resources.ts";
import { assertNoProblems, schemaProblems } from "./schema-check.ts";
import { isObject, maskProblems, openOrRefuse, restoreMasked, sealParams } from "./secret-fields.ts";
import {
  assertSameConnectionSpec,
  loadConnectionSpec,
  needsCredentials,
  resolveSpecRef,
  type SpecRef,
  sourceParamsSchema,
  specRefOf,
  specRefSchema,
} from "./specs.ts";
import { flowsUsing, inUse } from "./usage.ts";

export const sourceConnectionBodySchema = {
  type: "object",
  required: ["name", "connectionSpec", "data"],
  properties: {
    name: { type: "string", minLength: 1 },
    description: { type: "string" },
    baseConnectionId: { type: "string", minLength: 1 },
    connectionSpec: specRefSchema,
    data: { type: "object", required: ["format"], properties: { format: { type: "string", minLength: 1 } } },
    params: { type: "object" },
  },
} as const;

const patchedSchema = {
  ...sourceConnectionBodySchema,
  properties: { ...sourceConnectionBodySchema.properties, state: { enum: [...instanceStates] } },
};

async function build(
  deps: ConnectionDeps,
  scope: Scope,
  id: string,
  fields: JsonObject,
  ref: SpecRef,
  params: Record<string, unknown>,
): Promise<PreparedDoc> {
  const spec = await loadConnectionSpec(deps.store, ref.id);
  const baseConnectionId = typeof fields.baseConnectionId === "string" ? fields.baseConnectionId : undefined;
  const problems: Problem[] = [];
  let inheritedAttributes: JsonObject | undefined;
  if (baseConnectionId === undefined) {
    if (needsCredentials(spec.doc)) {
      problems.push({
        pointer: "/baseConnectionId",
        message: `is required: connection spec ${spec.id} declares credentials (authSpec), which a base connection holds`,
        severity: "error",
      });
    }
  } else {
    const base = await loadInScope(deps.store, "connections", scope, baseConnectionId);
    const baseRef = specRefOf(base.doc);
    if (baseRef?.id !== ref.id) {
      throw new FlowError(
        "invalidSpecId",
        `Base connection ${baseConnectionId} uses connection spec ${baseRef?.id ?? "(none)"}, not ${ref.id}: ` +
          "a source connection must use the connection spec of its base connection.",
        { id: baseConnectionId, type: "connections" },
      );
    }
    inheritedAttributes = { baseConnection: { id: baseConnectionId, connectionSpec: baseRef } };
  }
  const schema = sourceParamsSchema(spec.doc);
  problems.push(
    ...maskProblems(params, schema, "/params"),
    ...schemaProblems(params, schema, "/params", `sourceSpec.spec of connection spec ${spec.id}`),
  );
  assertNoProblems(problems, "The source connection");
  const doc = {
    ...pick(fields, ["name", "description", "baseConnectionId", "data"]),
    connectionSpec: { id: ref.id, version: ref.version },
    params: sealParams(params, schema, id, deps.secrets),
    state: typeof fields.state === "string" ? fields.state : "enabled",
    ...(inheritedAttributes === undefined ? {} : { inheritedAttributes }),
  };
  return { doc, parentId: baseConnectionId ?? null };
}

export async function prepareSourceConnection(
  deps: ConnectionDeps,
  scope: Scope,
  id: string,
  body: JsonObject,
): Promise<PreparedDoc> {
  const requested = body.connectionSpec as { id: string; version?: string };
  const ref = resolveSpecRef(await loadConnectionSpec(deps.store, requested.id), requested.version);
  const params = isObject(body.params) ? body.params : {};
  return build(deps, scope, id, pick(body, ["name", "description", "baseConnectionId", "data"]), ref, params);
}

/** PATCH: connection spec immutable (1414); the base connection may change (same spec, same scope). */
export async function prepareSourceConnectionPatch(
  deps: ConnectionDeps,
  scope: Scope,
  patched: JsonObject,
  previous: StoredResource,
): Promise<PreparedDoc> {
  assertSameConnectionSpec(patched, previous, "source connection");
  assertNoProblems(
    schemaProblems(patched, patchedSchema, "", "The source connection document"),
    "The patched source connection",
  );
  const restored = restoreMasked(isObject(patched.params) ? patched.params : {}, previous.doc.params);
  const params = openOrRefuse(restored, previous.id, deps.secrets, "/params");
  return build(deps, scope, previous.id, patched, specRefOf(previous.doc) as SpecRef, params);
}

/** Refused while a flow reads from it (1418). */
export async function assertSourceConnectionDeletable(deps: ConnectionDeps, scope: Scope, resource: StoredResource) {
  const flows = await flowsUsing(deps.store, scope, "sourceConnectionIds", [resource.id]);
  if (flows.length > 0) throw inUse("sourceConnections", resource.id, flows, "flows");
}
