/**
 * Catalog datasets and batches: the metadata side of datasets (the data side is the DatasetSink).
 * A dataset carries its row schema inline (Inlet has no Schema Registry); its `schemaRef.id` is a
 * server-assigned XDM-style URI that target connections (`data.schema.id`) and mapping sets
 * (`xdmSchema`) use to name it, and that is also the stored schema's `$id`, as an XDM schema's is.
 */
import { randomBytes } from "node:crypto";
import { Ajv } from "ajv";
import { FlowError, type Problem } from "../errors.ts";
import type { JsonObject, MetadataStore, Scope, StoredResource } from "../store/metadata-store.ts";
import { DatasetError, type DatasetSink, type JsonSchema } from "./dataset-sink.ts";
import { columnTypes } from "./parquet/column-types.ts";
import { compileRecordCheck } from "./parquet/schema-validator.ts";
import { type DatasetSinkKind, datasetSinkKinds, isDatasetSinkKind } from "./postgres/sink-router.ts";

export const datasetKind = "dataSets";
export const batchKind = "batches";
export const schemaContentType = "application/vnd.adobe.xed-full+json;version=1";
export const datasetIdPattern = /^[0-9a-f]{24}$/;
export const batchIdPattern = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export interface DatasetRecord {
  readonly id: string;
  readonly name: string;
  readonly schema: JsonSchema;
  readonly schemaRef: { id: string; contentType: string };
  /** Where its batches are written: Parquet files (the default) or PostgreSQL tables (src/datasets/postgres/). */
  readonly sink: DatasetSinkKind;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Ids ---------------------------------------------------------------------------------------------

/** 24 lowercase hex, time-prefixed like Catalog's (MongoDB ObjectId-style) ids: 4 bytes of seconds, 8 random. */
export function newDatasetId(now: number = Date.now()): string {
  const seconds = Math.floor(now / 1000) >>> 0;
  return seconds.toString(16).padStart(8, "0") + randomBytes(8).toString("hex");
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID: 26 Crockford base32 characters, 48 bits of epoch milliseconds then 80 random bits. */
export function newBatchId(now: number = Date.now(), random: Uint8Array = randomBytes(10)): string {
  if (!Number.isInteger(now) || now < 0 || now > 2 ** 48 - 1) throw new RangeError("ULID time must fit 48 bits");
  if (random.length !== 10) throw new RangeError("ULID randomness must be 10 bytes");
  let time = "";
  let rest = now;
  for (let i = 0; i < 10; i++) {
    time = crockford[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  let bits = 0n;
  for (const byte of random) bits = (bits << 8n) | BigInt(byte);
  let tail = "";
  for (let i = 0; i < 16; i++) {
    tail = crockford[Number(bits & 31n)] + tail;
    bits >>= 5n;
  }
  return time + tail;
}

/** The tenant part of XDM ids: the org id without `@AdobeOrg`, lower case, letters and digits only. */
export function tenantOf(orgId: string): string {
  const tenant = orgId
    .replace(/@AdobeOrg$/i, "")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
  return tenant === "" ? "tenant" : tenant;
}

export function newSchemaId(orgId: string): string {
  return `https://ns.adobe.com/${tenantOf(orgId)}/schemas/${randomBytes(16).toString("hex")}`;
}

// Dataset schemas ---------------------------------------------------------------------------------

const draft07 = new Set(["http://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema"]);
const limits = { depth: 32, properties: 5000, nameLength: 255 } as const;
const metaValidator = new Ajv({ strict: false, allErrors: true });

/**
 * Every reason a dataset schema cannot be used, with pointers under `/schema`: it must be a draft-07
 * object schema with properties that the Parquet sink can type: no `$ref` (columns are typed from
 * inline properties), no empty or `__proto__` names, no two names equal but for case (DuckDB
 * columns are case-insensitive), at most 32 levels and 5000 properties.
 */
export function lintDatasetSchema(schema: unknown): Problem[] {
  const problems: Problem[] = [];
  const add = (pointer: string, message: string) =>
    problems.push({ pointer: `/schema${pointer}`, message, severity: "error" });
  if (!isRecord(schema)) {
    add("", "must be a JSON Schema object");
    return problems;
  }
  if (schema.$schema !== undefined && !draft07.has(schema.$schema as string)) {
    add("/$schema", 'must be "http://json-schema.org/draft-07/schema#" when given (Inlet validates with draft-07)');
  }
  if (schema.type !== "object") add("/type", 'must be "object" (a dataset schema describes one row)');
  if (!isRecord(schema.properties) || Object.keys(schema.properties).length === 0) {
    add("/properties", "must be an object with at least one property (the dataset's columns)");
    return problems;
  }
  let count = 0;
  const walk = (node: Record<string, unknown>, pointer: string, depth: number): void => {
    if (depth > limits.depth) {
      add(pointer, `nests more than ${limits.depth} levels`);
      return;
    }
    if (node.$ref !== undefined) add(`${pointer}/$ref`, "is not supported: define properties inline");
    if (isRecord(node.properties)) {
      const folded = new Map<string, string>();
      for (const [name, child] of Object.entries(node.properties)) {
        const at = `${pointer}/properties/${escapePointer(name)}`;
        if (++count > limits.properties) {
          if (count === limits.properties + 1) add(pointer, `has more than ${limits.properties} properties in all`);
          return;
        }
        if (name === "") add(at, "a property name may not be empty");
        if (name === "__proto__") add(at, '"__proto__" is reserved and cannot be a property name');
        if (name.length > limits.nameLength) add(at, `property names are at most ${limits.nameLength} characters`);
        const other = folded.get(name.toLowerCase());
        if (other !== undefined) add(at, `differs from "${other}" only in case; column names are case-insensitive`);
        folded.set(name.toLowerCase(), name);
        if (!isRecord(child)) add(at, "must be a schema object");
        else walk(child, at, depth + 1);
      }
    }
    if (isRecord(node.items)) walk(node.items, `${pointer}/items`, depth + 1);
  };
  walk(schema, "", 0);
  for (const pointer of regexKeywords(schema, "", false)) {
    add(
      pointer,
      "regular expressions are not supported in dataset schemas: a crafted pattern could stall every run that validates against it",
    );
  }
  if (problems.length > 0) return problems;
  if (!metaValidator.validateSchema(schema)) {
    for (const issue of metaValidator.errors ?? []) add(issue.instancePath, issue.message ?? "is not valid draft-07");
    return problems;
  }
  try {
    compileRecordCheck(schema);
    columnTypes(schema);
  } catch (error) {
    add("", error instanceof DatasetError ? error.message : `cannot be compiled: ${(error as Error).message}`);
  }
  return problems;
}

/**
 * Where the schema uses `pattern` or `patternProperties`. Records are validated on the server's
 * one JavaScript thread, and a backtracking pattern such as `^(a+)+$` takes seconds on a short
 * value (measured: 1.5 s at 26 characters, doubling with each one): no pattern, no such stall.
 * `inPropertyMap` marks a `properties` object, whose keys are column names, not keywords.
 */
function regexKeywords(node: unknown, pointer: string, inPropertyMap: boolean): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => regexKeywords(item, `${pointer}/${i}`, false));
  if (!isRecord(node)) return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(node)) {
    const at = `${pointer}/${escapePointer(key)}`;
    if (!inPropertyMap && ((key === "pattern" && typeof child === "string") || key === "patternProperties")) {
      found.push(at);
      continue;
    }
    found.push(...regexKeywords(child, at, !inPropertyMap && key === "properties"));
  }
  return found;
}

function escapePointer(name: string): string {
  return name.replaceAll("~", "~0").replaceAll("/", "~1");
}

// Datasets ----------------------------------------------------------------------------------------

const datasetFields = new Set(["name", "description", "schema", "fileDescription", "tags", "sink"]);

/**
 * The stored document of a new dataset, or FlowError("validationFailed") listing every problem.
 * Accepted fields: name, description, schema, Catalog's fileDescription and tags (kept as given),
 * and Inlet's `sink` ("parquet", the default, or "postgres": a table per dataset, when PostgreSQL
 * is configured). `schemaRef` is refused: Inlet assigns it.
 */
export function prepareDataset(body: unknown, orgId: string): JsonObject {
  const problems: Problem[] = [];
  const add = (pointer: string, message: string) => problems.push({ pointer, message, severity: "error" });
  if (!isRecord(body)) throw new FlowError("validationFailed", "The dataset body must be a JSON object.");
  for (const key of Object.keys(body)) {
    if (key === "schemaRef") {
      add("/schemaRef", "Inlet has no Schema Registry: send the row's JSON Schema as `schema`; schemaRef is assigned");
    } else if (!datasetFields.has(key))
      add(`/${escapePointer(key)}`, `is not a dataset field (accepted: ${[...datasetFields].join(", ")})`);
  }
  if (typeof body.name !== "string" || body.name.trim() === "" || body.name.length > 512) {
    add("/name", "must be a non-empty string of at most 512 characters");
  }
  if (body.description !== undefined && typeof body.description !== "string") add("/description", "must be a string");
  if (body.fileDescription !== undefined && !isRecord(body.fileDescription))
    add("/fileDescription", "must be an object");
  if (body.tags !== undefined && !isTags(body.tags)) add("/tags", "must map tag names to arrays of strings");
  if (body.sink !== undefined && !isDatasetSinkKind(body.sink))
    add("/sink", `must be one of ${datasetSinkKinds.join(", ")} (an Inlet extension; default parquet)`);
  if (body.schema === undefined) add("/schema", "is required: the JSON Schema of one row");
  else problems.push(...lintDatasetSchema(body.schema));
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).map((p) => `${p.pointer} ${p.message}`);
    throw new FlowError("validationFailed", `The dataset has ${problems.length} problem(s): ${shown.join("; ")}`, {
      problems,
    });
  }
  const schemaRef = { id: newSchemaId(orgId), contentType: schemaContentType };
  const doc: JsonObject = {
    name: (body.name as string).trim(),
    schemaRef,
    schema: { ...(body.schema as JsonObject), $id: schemaRef.id },
  };
  if (body.description !== undefined) doc.description = body.description;
  if (body.fileDescription !== undefined) doc.fileDescription = body.fileDescription;
  if (body.tags !== undefined) doc.tags = body.tags;
  if (body.sink !== undefined) doc.sink = body.sink;
  return doc;
}

function isTags(value: unknown): boolean {
  return (
    isRecord(value) && Object.values(value).every((v) => Array.isArray(v) && v.every((s) => typeof s === "string"))
  );
}

/**
 * Creates the dataset resource, then makes it known to the sink so queries see an empty view; if
 * the sink refuses, the resource is removed again. Returns the new id.
 */
export async function createDataset(
  deps: { readonly store: MetadataStore; readonly datasets: DatasetSink },
  scope: Scope,
  doc: JsonObject,
): Promise<StoredResource> {
  const id = newDatasetId();
  const created = await deps.store.createResource({ kind: datasetKind, scope, id, doc });
  try {
    await deps.datasets.registerDataset({
      id,
      schema: doc.schema as JsonSchema,
      ...(isDatasetSinkKind(doc.sink) ? { sink: doc.sink } : {}),
    });
  } catch (error) {
    await deps.store.deleteResource(datasetKind, scope, id).catch(() => undefined);
    if (error instanceof DatasetError)
      throw new FlowError("validationFailed", `The dataset was refused: ${error.message}`);
    throw error;
  }
  return created;
}

export function datasetRecord(resource: StoredResource): DatasetRecord {
  const doc = resource.doc;
  const schemaRef = isRecord(doc.schemaRef) ? doc.schemaRef : {};
  return {
    id: resource.id,
    name: typeof doc.name === "string" ? doc.name : "",
    schema: (isRecord(doc.schema) ? doc.schema : {}) as JsonSchema,
    schemaRef: {
      id: typeof schemaRef.id === "string" ? schemaRef.id : "",
      contentType: typeof schemaRef.contentType === "string" ? schemaRef.contentType : schemaContentType,
    },
    sink: isDatasetSinkKind(doc.sink) ? doc.sink : "parquet",
  };
}

export async function getDataset(store: MetadataStore, scope: Scope, id: string): Promise<DatasetRecord | undefined> {
  const resource = await store.getResource(datasetKind, scope, id);
  return resource ? datasetRecord(resource) : undefined;
}

/** The dataset whose `schemaRef.id` is this (each dataset has its own schema id). */
export async function findDatasetBySchemaId(
  store: MetadataStore,
  scope: Scope,
  schemaId: string,
): Promise<DatasetRecord | undefined> {
  for (const resource of await store.listResources(datasetKind, scope)) {
    const record = datasetRecord(resource);
    if (record.schemaRef.id === schemaId) return record;
  }
  return undefined;
}

/**
 * Deletes a dataset no target connection names (`params.dataSetId`), with its batches and its files.
 * Throws FlowError("inUse") while one does; answers false when the dataset does not exist.
 */
export async function deleteDataset(
  deps: { readonly store: MetadataStore; readonly datasets: DatasetSink },
  scope: Scope,
  id: string,
): Promise<boolean> {
  const { store } = deps;
  if (!(await store.getResource(datasetKind, scope, id))) return false;
  const users = (await store.listResources("targetConnections", scope))
    .filter((connection) => {
      const params = connection.doc.params;
      return isRecord(params) && params.dataSetId === id;
    })
    .map((connection) => connection.id);
  if (users.length > 0) {
    throw new FlowError(
      "inUse",
      `Dataset ${id} is used by target connection(s) ${users.join(", ")}; delete them first.`,
      { id, targetConnectionIds: users },
    );
  }
  for (const batch of await store.listResources(batchKind, scope, { parentId: id })) {
    await store.deleteResource(batchKind, scope, batch.id);
  }
  const deleted = await store.deleteResource(datasetKind, scope, id);
  await deps.datasets.removeDataset(id);
  return deleted;
}

// Batches -----------------------------------------------------------------------------------------

export interface BatchRecordInput {
  readonly batchId: string;
  readonly datasetId: string;
  readonly flowId: string;
  readonly runId: string;
  readonly status: "success" | "failed";
  readonly recordCount: number;
  readonly failedRecordCount: number;
  readonly outputBytes: number;
  readonly startedAt: number;
  readonly completedAt: number;
  /** Catalog-style errors of a failed batch (optional). */
  readonly errors?: ReadonlyArray<{ readonly code: string; readonly description: string }>;
}

export function batchDocument(batch: BatchRecordInput): JsonObject {
  return {
    status: batch.status,
    relatedObjects: [{ type: "dataSet", id: batch.datasetId }],
    metrics: {
      recordCount: batch.recordCount,
      inputRecordCount: batch.recordCount + batch.failedRecordCount,
      outputRecordCount: batch.recordCount,
      failedRecordCount: batch.failedRecordCount,
      outputByteSize: batch.outputBytes,
      startTime: batch.startedAt,
      endTime: batch.completedAt,
    },
    started: batch.startedAt,
    completed: batch.completedAt,
    errors: (batch.errors ?? []).map((e) => ({ code: e.code, description: e.description })),
    tags: { flowId: [batch.flowId], runId: [batch.runId] },
  };
}

/** Creates or replaces the Catalog batch (kind "batches", parentId = dataset id). */
export async function recordBatch(store: MetadataStore, scope: Scope, batch: BatchRecordInput): Promise<void> {
  const doc = batchDocument(batch);
  const input = { kind: batchKind, scope, id: batch.batchId, doc, parentId: batch.datasetId } as const;
  if (await store.getResource(batchKind, scope, batch.batchId)) {
    await store.updateResource(input);
    return;
  }
  try {
    await store.createResource(input);
  } catch (error) {
    // Created meanwhile by a concurrent writer of the same batch: replace it.
    if (
      error instanceof FlowError &&
      error.kind === "badRequest" &&
      (await store.getResource(batchKind, scope, batch.batchId))
    ) {
      await store.updateResource(input);
      return;
    }
    throw error;
  }
}
