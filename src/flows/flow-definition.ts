/**
 * What a flow is made of, checked on create and on every PATCH (spec §1.8, §6):
 * - the flow spec exists (1413) and lists the source connection's connection spec in
 *   `sourceConnectionSpecIds` and the target's in `targetConnectionSpecIds` (1413);
 * - exactly one source and one target connection, both in the caller's org and sandbox;
 * - `scheduleParams` against the flow spec's `scheduleSpec.spec` (if/then/else included), after
 *   turning Adobe's string forms into numbers and booleans, which is what is stored;
 * - `transformations`: Mapping only, its set must exist (1419) in a version it has (1412) and
 *   compile against the target dataset's schema (1419/1425);
 * - `options` (Inlet's place for the flow spec's optionSpec values: errorDiagnosticsEnabled,
 *   partialIngestionPercent) against `optionSpec.spec`;
 * - no `state` on create (1410).
 */

import { getDataset } from "../datasets/catalog.ts";
import { FlowError, type Problem } from "../errors.ts";
import { compileMapping, getMappingSet } from "../mapping/index.ts";
import {
  globalScope,
  type JsonObject,
  type MetadataStore,
  type Scope,
  type StoredResource,
} from "../store/metadata-store.ts";
import { schemaProblems } from "./json-schema.ts";
import { coerceScheduleParams, frequencies } from "./schedule.ts";

export interface PreparedFlow {
  readonly doc: JsonObject;
  /** The first source connection: connections count their flows by it. */
  readonly parentId: string;
}

const createFields = [
  "name",
  "description",
  "flowSpec",
  "sourceConnectionIds",
  "targetConnectionIds",
  "transformations",
  "scheduleParams",
  "options",
  "labels",
] as const;

/** Paths a PATCH may change (Adobe's examples: name, scheduleParams, transformations, labels). */
export const patchableFields = [
  "name",
  "description",
  "scheduleParams",
  "transformations",
  "options",
  "labels",
] as const;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const problem = (pointer: string, message: string): Problem => ({ pointer, message, severity: "error" });

function fail(what: string, problems: readonly Problem[]): never {
  throw new FlowError(
    "validationFailed",
    `The ${what} has ${problems.length} problem(s): ${problems.map((p) => `${p.pointer || "/"} ${p.message}`).join("; ")}`,
    { problems },
  );
}

function idList(body: JsonObject, field: string, problems: Problem[]): string | undefined {
  const value = body[field];
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(problem(`/${field}`, "must be an array with one connection id"));
    return undefined;
  }
  if (value.length > 1)
    problems.push(problem(`/${field}`, "must name exactly one connection (Inlet runs one source into one target)"));
  if (typeof value[0] !== "string" || value[0] === "") {
    problems.push(problem(`/${field}/0`, "must be a connection id"));
    return undefined;
  }
  return value[0];
}

function structuralProblems(body: JsonObject, fields: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) problems.push(problem(`/${key}`, `is not a flow field (expected ${fields.join(", ")})`));
  }
  if (typeof body.name !== "string" || body.name.trim() === "")
    problems.push(problem("/name", "must be a non-empty string"));
  if (body.description !== undefined && typeof body.description !== "string") {
    problems.push(problem("/description", "must be a string"));
  }
  if (!isObject(body.scheduleParams)) problems.push(problem("/scheduleParams", "must be an object"));
  if (body.transformations !== undefined && !Array.isArray(body.transformations)) {
    problems.push(problem("/transformations", "must be an array"));
  }
  if (body.options !== undefined && !isObject(body.options)) problems.push(problem("/options", "must be an object"));
  if (body.labels !== undefined && !(Array.isArray(body.labels) && body.labels.every((l) => typeof l === "string"))) {
    problems.push(problem("/labels", "must be an array of strings"));
  }
  return problems;
}

async function loadFlowSpec(store: MetadataStore, ref: unknown): Promise<{ spec: StoredResource; version: string }> {
  if (!isObject(ref) || typeof ref.id !== "string" || ref.id === "") {
    fail("flow", [problem("/flowSpec/id", "must be the id of a flow spec, e.g. 6499120c-0b15-42dc-936e-847ea3c24d72")]);
  }
  const spec = await store.getResource("flowSpecs", globalScope, ref.id);
  if (!spec) {
    throw new FlowError("invalidSpecId", `Flow spec ${ref.id} does not exist; check flowSpec.id.`, {
      id: ref.id,
      type: "flowSpecs",
    });
  }
  const current = typeof spec.doc.version === "string" && spec.doc.version !== "" ? spec.doc.version : "1.0";
  const requested = ref.version;
  if (requested !== undefined && requested !== null && requested !== "" && String(requested) !== current) {
    throw new FlowError(
      "invalidSpecId",
      `Flow spec ${spec.id} has version ${current}, not ${String(requested)}; omit flowSpec.version or send ${current}.`,
      { id: spec.id, type: "flowSpecs" },
    );
  }
  return { spec, version: current };
}

function specIdOf(doc: JsonObject): string | undefined {
  return isObject(doc.connectionSpec) && typeof doc.connectionSpec.id === "string" ? doc.connectionSpec.id : undefined;
}

function specRef(doc: JsonObject): JsonObject | undefined {
  return isObject(doc.connectionSpec) ? { ...doc.connectionSpec } : undefined;
}

function assertListed(
  flowSpec: StoredResource,
  list: "sourceConnectionSpecIds" | "targetConnectionSpecIds",
  connectionSpecId: string | undefined,
  what: string,
): void {
  const listed = flowSpec.doc[list];
  if (connectionSpecId !== undefined && Array.isArray(listed) && listed.includes(connectionSpecId)) return;
  const hint = list === "sourceConnectionSpecIds" ? ` Append it with PUT /flowSpecs/${flowSpec.id} (spec §6).` : "";
  throw new FlowError(
    "invalidSpecId",
    `The ${what}'s connection spec ${connectionSpecId ?? "(none)"} is not in flow spec ${flowSpec.id}'s ${list}.${hint}`,
    { id: flowSpec.id, type: "flowSpecs", connectionSpecId: connectionSpecId ?? null },
  );
}

interface Connections {
  readonly inheritedAttributes: JsonObject;
  readonly dataSetId: string;
}

async function loadConnections(
  store: MetadataStore,
  scope: Scope,
  flowSpec: StoredResource,
  sourceId: string,
  targetId: string,
): Promise<Connections> {
  const [source, target] = await Promise.all([
    store.getResource("sourceConnections", scope, sourceId),
    store.getResource("targetConnections", scope, targetId),
  ]);
  const problems: Problem[] = [];
  if (!source)
    problems.push(
      problem(
        "/sourceConnectionIds/0",
        `source connection ${sourceId} does not exist in this organization and sandbox`,
      ),
    );
  if (!target)
    problems.push(
      problem(
        "/targetConnectionIds/0",
        `target connection ${targetId} does not exist in this organization and sandbox`,
      ),
    );
  if (!source || !target) fail("flow", problems);
  assertListed(flowSpec, "sourceConnectionSpecIds", specIdOf(source.doc), `source connection ${source.id}`);
  assertListed(flowSpec, "targetConnectionSpecIds", specIdOf(target.doc), `target connection ${target.id}`);
  const baseId = typeof source.doc.baseConnectionId === "string" ? source.doc.baseConnectionId : undefined;
  const base = baseId === undefined ? undefined : await store.getResource("connections", scope, baseId);
  const params = isObject(target.doc.params) ? target.doc.params : {};
  const dataSetId = typeof params.dataSetId === "string" ? params.dataSetId : "";
  return {
    dataSetId,
    inheritedAttributes: {
      sourceConnections: [
        {
          id: source.id,
          connectionSpec: specRef(source.doc),
          ...(base ? { baseConnection: { id: base.id, connectionSpec: specRef(base.doc) } } : {}),
        },
      ],
      targetConnections: [{ id: target.id, connectionSpec: specRef(target.doc) }],
    },
  };
}

function specSchema(flowSpec: StoredResource, field: "scheduleSpec" | "optionSpec"): JsonObject | undefined {
  const holder = flowSpec.doc[field];
  return isObject(holder) && isObject(holder.spec) ? holder.spec : undefined;
}

function checkSchedule(flowSpec: StoredResource, raw: unknown): { value: JsonObject; problems: Problem[] } {
  const coerced = coerceScheduleParams(raw);
  const schema = specSchema(flowSpec, "scheduleSpec");
  const problems = schema ? schemaProblems(coerced, schema, "/scheduleParams", "scheduleSpec.spec") : [];
  const value = isObject(coerced) ? coerced : {};
  // Inlet's own floor, whatever the flow spec says: the scheduler needs these to be usable.
  if (problems.length === 0) {
    if (!Number.isSafeInteger(value.startTime) || (value.startTime as number) < 0) {
      problems.push(problem("/scheduleParams/startTime", "must be epoch seconds (a non-negative integer)"));
    }
    if (!(frequencies as readonly unknown[]).includes(value.frequency)) {
      problems.push(problem("/scheduleParams/frequency", `must be one of ${frequencies.join(", ")}`));
    }
    if (value.frequency !== "once" && (!Number.isSafeInteger(value.interval) || (value.interval as number) < 1)) {
      problems.push(problem("/scheduleParams/interval", "must be a positive integer"));
    }
    if (value.backfill !== undefined && typeof value.backfill !== "boolean") {
      problems.push(problem("/scheduleParams/backfill", "must be a boolean"));
    }
  }
  return { value, problems };
}

function checkOptions(flowSpec: StoredResource, raw: unknown): Problem[] {
  if (raw === undefined) return [];
  const schema = specSchema(flowSpec, "optionSpec");
  return schema ? schemaProblems(raw, schema, "/options", "optionSpec.spec") : [];
}

interface MappingRef {
  readonly mappingId: string;
  readonly mappingVersion: number;
}

function checkTransformations(
  flowSpec: StoredResource,
  raw: unknown,
): { value: JsonObject[]; mapping?: MappingRef; problems: Problem[] } {
  if (raw === undefined) return { value: [], problems: [] };
  const problems: Problem[] = [];
  const value: JsonObject[] = [];
  let mapping: MappingRef | undefined;
  const specs = Array.isArray(flowSpec.doc.transformationSpecs)
    ? flowSpec.doc.transformationSpecs.filter(isObject)
    : [];
  (raw as unknown[]).forEach((item, index) => {
    const at = `/transformations/${index}`;
    if (!isObject(item) || typeof item.name !== "string") {
      problems.push(problem(at, 'must be {"name": "Mapping", "params": {"mappingId", "mappingVersion"}}'));
      return;
    }
    const spec = specs.find((s) => s.name === item.name);
    if (!spec) {
      const names = specs.map((s) => String(s.name)).join(", ") || "none";
      problems.push(
        problem(
          `${at}/name`,
          `"${item.name}" is not a transformation of flow spec ${flowSpec.id} (it declares ${names})`,
        ),
      );
      return;
    }
    if (item.name !== "Mapping") {
      problems.push(problem(`${at}/name`, "Inlet runs only Mapping transformations"));
      return;
    }
    if (mapping !== undefined) {
      problems.push(problem(at, "a flow takes one Mapping transformation"));
      return;
    }
    const params = isObject(item.params) ? item.params : undefined;
    if (params === undefined || typeof params.mappingId !== "string" || params.mappingId === "") {
      problems.push(problem(`${at}/params/mappingId`, "must be the id of a mapping set"));
      return;
    }
    const rawVersion = params.mappingVersion ?? 0;
    const version =
      typeof rawVersion === "number"
        ? rawVersion
        : typeof rawVersion === "string" && /^\d+$/.test(rawVersion)
          ? Number(rawVersion)
          : Number.NaN;
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new FlowError(
        "invalidMappingVersion",
        `Mapping version ${JSON.stringify(rawVersion)} is not valid: send a non-negative integer.`,
        {
          mappingId: params.mappingId,
        },
      );
    }
    // The flow spec types mappingVersion as a string while Adobe's examples send 0: check the text form.
    if (isObject(spec.spec))
      problems.push(
        ...schemaProblems(
          { ...params, mappingVersion: String(version) },
          spec.spec,
          `${at}/params`,
          "transformationSpecs",
        ),
      );
    mapping = { mappingId: params.mappingId, mappingVersion: version };
    value.push({ name: "Mapping", params: { mappingId: params.mappingId, mappingVersion: version } });
  });
  return { value, ...(mapping ? { mapping } : {}), problems };
}

async function checkMapping(store: MetadataStore, scope: Scope, mapping: MappingRef, dataSetId: string): Promise<void> {
  const set = await getMappingSet(store, scope, mapping.mappingId);
  if (!set) {
    throw new FlowError(
      "mappingInvalid",
      `Mapping set ${mapping.mappingId} does not exist in this organization and sandbox.`,
      {
        mappingId: mapping.mappingId,
      },
    );
  }
  const current = typeof set.doc.version === "number" ? set.doc.version : Number(set.doc.version ?? 0) || 0;
  if (mapping.mappingVersion > current) {
    throw new FlowError(
      "invalidMappingVersion",
      `Mapping set ${mapping.mappingId} has no version ${mapping.mappingVersion}; its current version is ${current}.`,
      { mappingId: mapping.mappingId },
    );
  }
  const dataset = await getDataset(store, scope, dataSetId);
  if (!dataset) {
    throw new FlowError(
      "mappingInvalid",
      `The target dataset ${dataSetId} does not exist, so the mapping cannot be checked.`,
      {
        dataSetId,
      },
    );
  }
  compileMapping(set.doc, dataset.schema);
}

/** The checks create and PATCH share: schedule, transformations, options. */
async function checkSettings(
  store: MetadataStore,
  scope: Scope,
  flowSpec: StoredResource,
  body: JsonObject,
  dataSetId: string,
): Promise<JsonObject> {
  const schedule = checkSchedule(flowSpec, body.scheduleParams);
  const transformations = checkTransformations(flowSpec, body.transformations);
  const problems = [...schedule.problems, ...transformations.problems, ...checkOptions(flowSpec, body.options)];
  if (problems.length > 0) fail("flow", problems);
  if (transformations.mapping) await checkMapping(store, scope, transformations.mapping, dataSetId);
  else if (!(await getDataset(store, scope, dataSetId))) {
    fail("flow", [
      problem("/targetConnectionIds/0", `the target connection's dataset ${dataSetId || "(none)"} does not exist`),
    ]);
  }
  return {
    scheduleParams: schedule.value,
    transformations: transformations.value,
    ...(body.options === undefined ? {} : { options: body.options }),
  };
}

export async function prepareFlowCreate(store: MetadataStore, scope: Scope, body: JsonObject): Promise<PreparedFlow> {
  if (body.state !== undefined)
    throw new FlowError("stateNotAllowed", "State is not allowed in the create flow request.");
  const problems = structuralProblems(body, createFields);
  const sourceId = idList(body, "sourceConnectionIds", problems);
  const targetId = idList(body, "targetConnectionIds", problems);
  if (!isObject(body.flowSpec)) problems.push(problem("/flowSpec", "must be an object with the flow spec's id"));
  if (problems.length > 0 || sourceId === undefined || targetId === undefined) fail("flow", problems);
  const { spec, version } = await loadFlowSpec(store, body.flowSpec);
  const connections = await loadConnections(store, scope, spec, sourceId, targetId);
  const settings = await checkSettings(store, scope, spec, body, connections.dataSetId);
  return {
    parentId: sourceId,
    doc: {
      name: body.name,
      ...(body.description === undefined ? {} : { description: body.description }),
      flowSpec: { id: spec.id, version },
      state: "enabled",
      sourceConnectionIds: [sourceId],
      targetConnectionIds: [targetId],
      ...settings,
      ...(body.labels === undefined ? {} : { labels: body.labels }),
      inheritedAttributes: connections.inheritedAttributes,
    },
  };
}

/** The fields a patch changed, compared as JSON. */
function changedFields(patched: JsonObject, previous: JsonObject): string[] {
  const keys = new Set([...Object.keys(patched), ...Object.keys(previous)]);
  return [...keys].filter((key) => JSON.stringify(patched[key]) !== JSON.stringify(previous[key]));
}

export async function prepareFlowPatch(
  store: MetadataStore,
  scope: Scope,
  patched: JsonObject,
  previous: StoredResource,
): Promise<PreparedFlow> {
  const ignored = new Set(["lastOperation", "createdBy", "updatedBy", "createdClient", "updatedClient"]);
  const refused = changedFields(patched, previous.doc).filter(
    (key) => !ignored.has(key) && !(patchableFields as readonly string[]).includes(key),
  );
  if (refused.length > 0) {
    const hint = refused.includes("state") ? " Use POST /flows/{id}/action?op=enable|disable to change the state." : "";
    throw new FlowError(
      "patchValidation",
      `A PATCH may change ${patchableFields.join(", ")}; not ${refused.join(", ")}.${hint}`,
      {
        fields: refused,
      },
    );
  }
  const settingsFields = [
    ...createFields,
    "state",
    "inheritedAttributes",
    "lastOperation",
    "createdBy",
    "updatedBy",
    "createdClient",
    "updatedClient",
  ];
  const problems = structuralProblems(patched, settingsFields);
  if (problems.length > 0) fail("patched flow", problems);
  const { spec } = await loadFlowSpec(store, previous.doc.flowSpec);
  const target = await store.getResource(
    "targetConnections",
    scope,
    String((previous.doc.targetConnectionIds as unknown[])[0]),
  );
  const params = target && isObject(target.doc.params) ? target.doc.params : {};
  const settings = await checkSettings(
    store,
    scope,
    spec,
    patched,
    typeof params.dataSetId === "string" ? params.dataSetId : "",
  );
  const { options: _options, ...rest } = patched;
  return {
    parentId: previous.parentId ?? String((previous.doc.sourceConnectionIds as unknown[])[0]),
    doc: { ...rest, ...settings },
  };
}
