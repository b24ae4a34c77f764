/**
 * Target connections (`/targetConnections`, spec §1.6): where a flow writes, always the Data Lake
 * (`c604ff05-…`) and one Catalog dataset of the same org and sandbox.
 *
 * Stored document: `{name?, description?, connectionSpec:{id, version}, data:{format, schema?},
 * params:{dataSetId, …}, state}`. The parent id is the dataset id, so "which target connections
 * write to this dataset?" is `countByParent("targetConnections", datasetId)`.
 */
import { getDataset } from "../datasets/catalog.ts";
import { FlowError } from "../errors.ts";
import type { JsonObject, Scope, StoredResource } from "../store/metadata-store.ts";
import type { ConnectionDeps, PreparedDoc } from "./deps.ts";
import { instanceStates, notFound, pick } from "./resources.ts";
import { assertNoProblems, schemaProblems } from "./schema-check.ts";
import {
  assertSameConnectionSpec,
  dataLakeTargetSpecId,
  loadConnectionSpec,
  resolveSpecRef,
  type SpecRef,
  specRefOf,
} from "./specs.ts";
import { flowsUsing, inUse } from "./usage.ts";

export const targetConnectionBodySchema = {
  type: "object",
  required: ["connectionSpec", "data", "params"],
  properties: {
    name: { type: "string", minLength: 1 },
    description: { type: "string" },
    connectionSpec: {
      type: "object",
      required: ["id"],
      properties: { id: { type: "string", minLength: 1 }, version: { type: "string" } },
    },
    data: {
      type: "object",
      required: ["format"],
      properties: {
        format: { type: "string", minLength: 1 },
        schema: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string", minLength: 1 }, version: { type: "string" } },
        },
      },
    },
    params: {
      type: "object",
      required: ["dataSetId"],
      properties: { dataSetId: { type: "string", minLength: 1 } },
    },
  },
} as const;

const patchedSchema = {
  ...targetConnectionBodySchema,
  properties: { ...targetConnectionBodySchema.properties, state: { enum: [...instanceStates] } },
};

async function build(deps: ConnectionDeps, scope: Scope, fields: JsonObject, ref: SpecRef): Promise<PreparedDoc> {
  const params = fields.params as { dataSetId: string };
  if (!(await getDataset(deps.store, scope, params.dataSetId))) throw notFound("dataSets", params.dataSetId);
  const doc = {
    ...pick(fields, ["name", "description", "data", "params"]),
    connectionSpec: { id: ref.id, version: ref.version },
    state: typeof fields.state === "string" ? fields.state : "enabled",
  };
  return { doc, parentId: params.dataSetId };
}

export async function prepareTargetConnection(
  deps: ConnectionDeps,
  scope: Scope,
  body: JsonObject,
): Promise<PreparedDoc> {
  const requested = body.connectionSpec as { id: string; version?: string };
  if (requested.id !== dataLakeTargetSpecId) {
    throw new FlowError(
      "invalidSpecId",
      `Target connections write to the Data Lake: connectionSpec.id must be ${dataLakeTargetSpecId}, not ${requested.id}.`,
      { id: requested.id, type: "connectionSpecs" },
    );
  }
  const ref = resolveSpecRef(await loadConnectionSpec(deps.store, requested.id), requested.version);
  return build(deps, scope, pick(body, ["name", "description", "data", "params"]), ref);
}

export async function prepareTargetConnectionPatch(
  deps: ConnectionDeps,
  scope: Scope,
  patched: JsonObject,
  previous: StoredResource,
): Promise<PreparedDoc> {
  assertSameConnectionSpec(patched, previous, "target connection");
  assertNoProblems(
    schemaProblems(patched, patchedSchema, "", "The target connection document"),
    "The patched target connection",
  );
  return build(deps, scope, patched, specRefOf(previous.doc) as SpecRef);
}

/** Refused while a flow writes through it (1418). */
export async function assertTargetConnectionDeletable(deps: ConnectionDeps, scope: Scope, resource: StoredResource) {
  const flows = await flowsUsing(deps.store, scope, "targetConnectionIds", [resource.id]);
  if (flows.length > 0) throw inUse("targetConnections", resource.id, flows, "flows");
}
