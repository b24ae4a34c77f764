import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { FlowError } from "../../errors.ts";
import { createCursor, deleteCursor, type FlowCursor, getCursor } from "../../flows/flow-cursor.ts";
import { prepareFlowCreate, prepareFlowPatch } from "../../flows/flow-definition.ts";
import { runStateOf } from "../../flows/run-doc.ts";
import { cancelRun } from "../../flows/run-queue.ts";
import { nextRunAt, toSchedule } from "../../flows/schedule.ts";
import { type FlowState, flowAction, flowActions, isFlowAction } from "../../flows/states.ts";
import { withoutServerFields } from "../../specs/index.ts";
import type { JsonObject, StoredResource } from "../../store/metadata-store.ts";
import { parseIfMatch, quoteEtag, requireIfMatch } from "../etag.ts";
import { applyPatch, type PatchOperation, parsePatch } from "../json-patch.ts";
import { listResponse, oneItem } from "../listing/list-response.ts";
import { authorship, presentInstance } from "../present.ts";
import {
  anyObject,
  errorResponseSchema,
  idParamsSchema,
  ifMatchHeaderSchema,
  listEnvelopeSchema,
  listQuerySchema,
} from "../schemas.ts";
import { scopeOf, type Tenant } from "../tenant.ts";
import type { RouteDependencies } from "./index.ts";
import { notFound } from "./route-helpers.ts";

/**
 * Dataflows (spec §1.8, §2.4): create, list, get, PATCH (If-Match), enable/disable, delete.
 * Validation lives in flows/flow-definition.ts; the run bookkeeping (cursor) in flows/flow-cursor.ts.
 * On the wire a flow adds `runs` (a link), `lastRunDetails` and Inlet's `nextRunAt` (epoch ms).
 */
const kind = "flows";
const tags = ["Flows"];
const errors = { 400: errorResponseSchema, 404: errorResponseSchema, 412: errorResponseSchema };
const idAndEtag = { type: "object", properties: { id: { type: "string" }, etag: { type: "string" } } } as const;
/** Bodies are checked by the flow definition (every problem at once); the schema documents them. */
const documentOnly = () => (data: unknown) => ({ value: data });

const flowBodySchema = {
  type: "object",
  description:
    "name, description?, flowSpec{id, version?}, sourceConnectionIds[1], targetConnectionIds[1], transformations?[{name:'Mapping', params{mappingId, mappingVersion}}], scheduleParams{startTime, frequency, interval?, backfill?}, options?{errorDiagnosticsEnabled?, partialIngestionPercent?}",
  additionalProperties: true,
} as const;

function operation(kindOf: string, ops: readonly PatchOperation[]): JsonObject {
  const now = Date.now();
  return {
    started: now,
    updated: now,
    percentCompleted: 100.0,
    status: { value: "completed", errors: [] },
    ops,
    operation: kindOf,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Stored typed, shown as Adobe's Swagger types them: ScheduleSpecDTO has `startTime` an integer,
 * `backfill` a boolean but `interval` a string (Adobe's examples echo "15"), and
 * TransformationSpecDTO has `mappingVersion` a string ("0"). See docs/compatibility.md.
 */
function wireSchedule(schedule: unknown): unknown {
  return isObject(schedule) && typeof schedule.interval === "number"
    ? { ...schedule, interval: String(schedule.interval) }
    : schedule;
}

function wireTransformations(transformations: unknown): unknown {
  if (!Array.isArray(transformations)) return transformations;
  return transformations.map((transformation: unknown) =>
    isObject(transformation) &&
    isObject(transformation.params) &&
    typeof transformation.params.mappingVersion === "number"
      ? {
          ...transformation,
          params: { ...transformation.params, mappingVersion: String(transformation.params.mappingVersion) },
        }
      : transformation,
  );
}

export function presentFlow(
  flow: StoredResource,
  cursor: FlowCursor | undefined,
  tenant: Tenant,
): Record<string, unknown> {
  const schedule = flow.doc.scheduleParams as Record<string, unknown> | undefined;
  const next =
    flow.doc.state === "enabled" && schedule ? nextRunAt(toSchedule(schedule), cursor?.cursor ?? null) : undefined;
  return {
    ...presentInstance(flow, tenant),
    ...(flow.doc.scheduleParams === undefined ? {} : { scheduleParams: wireSchedule(flow.doc.scheduleParams) }),
    ...(flow.doc.transformations === undefined
      ? {}
      : { transformations: wireTransformations(flow.doc.transformations) }),
    runs: `/runs?property=flowId==${flow.id}`,
    ...(cursor?.lastRun ? { lastRunDetails: cursor.lastRun } : {}),
    nextRunAt: next ?? null,
  };
}

function assertEtag(expected: string | undefined, resource: StoredResource): void {
  if (expected !== undefined && expected !== resource.etag) {
    throw new FlowError(
      "versionMismatch",
      `Supplied version=["${expected}"] does not match the current version on entity=["${resource.etag}"]`,
      { id: resource.id, type: kind },
    );
  }
}

function bodyObject(body: unknown): JsonObject {
  if (body === undefined || body === null) throw new FlowError("emptyBody", "The flow body is empty.");
  if (typeof body !== "object" || Array.isArray(body))
    throw new FlowError("badRequest", "The flow body must be a JSON object.");
  return body as JsonObject;
}

export function registerFlowRoutes(app: FastifyInstance, deps: RouteDependencies): void {
  const { store, runner } = deps;

  async function load(request: FastifyRequest, id: string): Promise<StoredResource> {
    const flow = await store.getResource(kind, scopeOf(request.tenant), id);
    if (!flow) throw notFound(kind, id);
    return flow;
  }

  async function present(flow: StoredResource, tenant: Tenant): Promise<Record<string, unknown>> {
    return presentFlow(flow, (await getCursor(store, flow.id))?.cursor, tenant);
  }

  app.get(
    "/flows",
    {
      schema: {
        tags,
        summary: "List flows",
        querystring: listQuerySchema,
        response: { 200: listEnvelopeSchema, ...errors },
      },
    },
    async (request) => {
      const flows = await store.listResources(kind, scopeOf(request.tenant));
      return listResponse(request, await Promise.all(flows.map((flow) => present(flow, request.tenant))));
    },
  );

  app.get<{ Params: { id: string } }>(
    "/flows/:id",
    {
      schema: { tags, summary: "Get a flow", params: idParamsSchema, response: { 200: listEnvelopeSchema, ...errors } },
    },
    async (request) => oneItem(await present(await load(request, request.params.id), request.tenant)),
  );

  app.post<{ Body: unknown }>(
    "/flows",
    {
      schema: {
        tags,
        summary: "Create a flow (state enabled)",
        body: flowBodySchema,
        response: { 201: idAndEtag, ...errors },
      },
      validatorCompiler: documentOnly,
    },
    async (request, reply) => {
      const scope = scopeOf(request.tenant);
      const id = randomUUID();
      const prepared = await prepareFlowCreate(store, scope, withoutServerFields(bodyObject(request.body)));
      const doc = { ...prepared.doc, lastOperation: operation("create", []), ...authorship(request.tenant) };
      // The cursor first: a flow without one would never run; a cursor without a flow is cleaned up.
      await createCursor(store, scope, id);
      let created: StoredResource;
      try {
        created = await store.createResource({ kind, scope, id, doc, parentId: prepared.parentId });
      } catch (error) {
        await deleteCursor(store, id).catch(() => undefined);
        throw error;
      }
      runner.wake();
      return reply
        .status(201)
        .header("location", `${request.url.split("?")[0]}/${id}`)
        .send({ id, etag: quoteEtag(created.etag) });
    },
  );

  app.patch<{ Params: { id: string }; Body: unknown }>(
    "/flows/:id",
    {
      schema: {
        tags,
        summary:
          "Update a flow with a JSON Patch array (If-Match required): name, description, scheduleParams, transformations, options, labels",
        params: idParamsSchema,
        headers: ifMatchHeaderSchema,
        body: { anyOf: [{ type: "array", items: anyObject }, anyObject] },
        response: { 200: idAndEtag, ...errors },
      },
    },
    async (request) => {
      const expectedEtag = requireIfMatch(request.headers["if-match"]);
      const existing = await load(request, request.params.id);
      assertEtag(expectedEtag, existing);
      const operations = parsePatch(request.body);
      const patched = applyPatch(existing.doc, operations);
      const scope = scopeOf(request.tenant);
      const prepared = await prepareFlowPatch(store, scope, patched, existing);
      const doc = {
        ...prepared.doc,
        ...authorship(request.tenant, existing.doc),
        lastOperation: operation("update", operations),
      };
      const updated = await store.updateResource({
        kind,
        scope,
        id: existing.id,
        doc,
        expectedEtag: expectedEtag ?? existing.etag,
        parentId: prepared.parentId,
      });
      runner.wake();
      return { id: updated.id, etag: quoteEtag(updated.etag) };
    },
  );

  app.post<{ Params: { id: string }; Querystring: { op?: string } }>(
    "/flows/:id/action",
    {
      schema: {
        tags,
        summary: "Enable or disable a flow (?op=enable|disable)",
        params: idParamsSchema,
        querystring: { type: "object", properties: { op: { type: "string", description: flowActions.join(" or ") } } },
        headers: ifMatchHeaderSchema,
        response: { 200: idAndEtag, ...errors },
      },
    },
    async (request) => {
      const op = request.query.op;
      if (!isFlowAction(op)) {
        throw new FlowError("badQueryParam", `Query parameter "op" must be enable or disable.`, { parameter: "op" });
      }
      const existing = await load(request, request.params.id);
      const given = parseIfMatch(request.headers["if-match"]);
      const expectedEtag = given === "*" ? undefined : given;
      assertEtag(expectedEtag, existing);
      const state = flowAction(existing.doc.state as FlowState, op);
      const doc = {
        ...existing.doc,
        state,
        ...authorship(request.tenant, existing.doc),
        lastOperation: operation(op, []),
      };
      const updated = await store.updateResource({
        kind,
        scope: scopeOf(request.tenant),
        id: existing.id,
        doc,
        expectedEtag: existing.etag,
      });
      runner.wake();
      return { id: updated.id, etag: quoteEtag(updated.etag) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/flows/:id",
    {
      schema: {
        tags,
        summary: "Delete a flow (refused while one of its runs is in progress; pending runs are cancelled)",
        params: idParamsSchema,
        response: { 204: { type: "null" }, ...errors },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request.tenant);
      const existing = await load(request, request.params.id);
      const given = parseIfMatch(request.headers["if-match"]);
      const expectedEtag = given === "*" ? undefined : given;
      assertEtag(expectedEtag, existing);
      const cursor = (await getCursor(store, existing.id))?.cursor;
      const active = cursor?.active ? await store.getResource("runs", scope, cursor.active.runId) : undefined;
      if (active && runStateOf(active) === "inProgress") {
        throw new FlowError(
          "invalidState",
          `Flow ${existing.id} has a run in progress (${active.id}); delete it once the run has finished (disable the flow to stop new runs).`,
          { id: existing.id, type: kind, runId: active.id },
        );
      }
      const deleted = await store.deleteResource(kind, scope, existing.id, expectedEtag ?? existing.etag);
      if (!deleted) throw notFound(kind, existing.id);
      for (const entry of [...(cursor?.active ? [cursor.active] : []), ...(cursor?.queue ?? [])]) {
        const run = await store.getResource("runs", scope, entry.runId);
        if (run) await cancelRun(store, scope, run, "The flow was deleted before the run started.", Date.now());
      }
      await deleteCursor(store, existing.id);
      return reply.status(204).send();
    },
  );
}
