import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { newBatchId } from "../../datasets/catalog.ts";
import { FlowError, type Problem } from "../../errors.ts";
import { createCursor, getCursor, type RunEntry, updateCursor } from "../../flows/flow-cursor.ts";
import { newRunDoc } from "../../flows/run-doc.ts";
import type { JsonObject, StoredResource } from "../../store/metadata-store.ts";
import { quoteEtag } from "../etag.ts";
import { listResponse, oneItem } from "../listing/list-response.ts";
import { presentInstance } from "../present.ts";
import { errorResponseSchema, idParamsSchema, listEnvelopeSchema, listQuerySchema } from "../schemas.ts";
import { scopeOf, type Tenant } from "../tenant.ts";
import type { RouteDependencies } from "./index.ts";
import { notFound } from "./route-helpers.ts";

/**
 * Flow runs (spec §1.9, §2.4): list (`property=flowId==…` and the other list conventions), get,
 * and POST /runs for an on-demand run of a flow scheduled `once`. Runs are created by the
 * scheduler (flows/run-queue.ts) or here, and only ever written by the runner.
 */
const kind = "runs";
const tags = ["Runs"];
const errors = { 400: errorResponseSchema, 404: errorResponseSchema };
const idAndEtag = { type: "object", properties: { id: { type: "string" }, etag: { type: "string" } } } as const;

const runBodySchema = {
  type: "object",
  description:
    "flowId, params{windowStartTime, windowEndTime, startTime?} (Unix seconds; 13-digit values are read as milliseconds)",
  additionalProperties: true,
} as const;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The flow a `property=flowId==<id>` filter names, to read only that flow's runs. */
function flowIdFilter(request: FastifyRequest): string | undefined {
  const raw = (request.query as Record<string, unknown>).property;
  const properties = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
  for (const property of properties) {
    const match = /^flowId==([^,<>=!~]+)$/.exec(property.trim());
    if (match) return match[1];
  }
  return undefined;
}

/**
 * Unix time in seconds (the docs' examples) or milliseconds (the OpenAPI's words): 13 digits and
 * more are milliseconds. Numbers or numeric strings; undefined when absent.
 */
function epochMs(params: JsonObject, key: string, problems: Problem[], required: boolean): number | undefined {
  const value = params[key];
  if (value === undefined || value === null || value === "") {
    if (required)
      problems.push({ pointer: `/params/${key}`, message: "is required (Unix time in seconds)", severity: "error" });
    return undefined;
  }
  const number =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\s*\d+\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 0) {
    problems.push({
      pointer: `/params/${key}`,
      message: "must be Unix time in seconds (a non-negative integer)",
      severity: "error",
    });
    return undefined;
  }
  return number >= 1e12 ? number : number * 1000;
}

function onDemandEntry(body: JsonObject, now: number): RunEntry {
  const problems: Problem[] = [];
  const params = isObject(body.params) ? body.params : undefined;
  if (!params)
    problems.push({
      pointer: "/params",
      message: "must be an object with windowStartTime and windowEndTime",
      severity: "error",
    });
  const start = params ? epochMs(params, "windowStartTime", problems, true) : undefined;
  const end = params ? epochMs(params, "windowEndTime", problems, true) : undefined;
  const notBefore = params ? epochMs(params, "startTime", problems, false) : undefined;
  if (start !== undefined && end !== undefined && start >= end) {
    problems.push({ pointer: "/params/windowEndTime", message: "must be after windowStartTime", severity: "error" });
  }
  if (problems.length > 0 || start === undefined || end === undefined) {
    throw new FlowError(
      "validationFailed",
      `The run request has ${problems.length} problem(s): ${problems.map((p) => `${p.pointer} ${p.message}`).join("; ")}`,
      { problems },
    );
  }
  return {
    runId: randomUUID(),
    batchId: newBatchId(now),
    window: { start, end, backfill: start === 0 },
    trigger: "onDemand",
    params: { ...params },
    ...(notBefore === undefined ? {} : { notBefore }),
  };
}

/**
 * A run as Adobe shows it. Its etag is under both spellings: `etag` (the docs' examples, and every
 * other resource) and `eTag` (the Swagger's FlowRunItemDTO); spec §10.22.
 */
function presentRun(run: StoredResource, tenant: Tenant): Record<string, unknown> {
  const wire = presentInstance(run, tenant);
  return { ...wire, eTag: wire.etag };
}

export function registerRunRoutes(app: FastifyInstance, deps: RouteDependencies): void {
  const { store, runner } = deps;

  app.get(
    "/runs",
    {
      schema: {
        tags,
        summary: "List runs (e.g. ?property=flowId==<id>)",
        querystring: listQuerySchema,
        response: { 200: listEnvelopeSchema, ...errors },
      },
    },
    async (request) => {
      const flowId = flowIdFilter(request);
      const scope = scopeOf(request.tenant);
      const runs = await store.listResources(kind, scope, flowId === undefined ? {} : { parentId: flowId });
      return listResponse(
        request,
        runs.map((run) => presentRun(run, request.tenant)),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    "/runs/:id",
    {
      schema: {
        tags,
        summary: "Get a run with its metrics and activities",
        params: idParamsSchema,
        response: { 200: listEnvelopeSchema, ...errors },
      },
    },
    async (request) => {
      const run = await store.getResource(kind, scopeOf(request.tenant), request.params.id);
      if (!run) throw notFound(kind, request.params.id);
      return oneItem(presentRun(run, request.tenant));
    },
  );

  app.post<{ Body: unknown }>(
    "/runs",
    {
      schema: {
        tags,
        summary: "Start an on-demand run of a flow scheduled once",
        body: runBodySchema,
        response: { 201: idAndEtag, ...errors },
      },
      validatorCompiler: () => (data: unknown) => ({ value: data }),
    },
    async (request, reply) => {
      const body = request.body;
      if (body === undefined || body === null) throw new FlowError("emptyBody", "The run request body is empty.");
      if (!isObject(body) || typeof body.flowId !== "string" || body.flowId === "") {
        throw new FlowError("validationFailed", "The run request needs flowId (the flow to run).", {
          problems: [{ pointer: "/flowId", message: "must be a flow id", severity: "error" }],
        });
      }
      const scope = scopeOf(request.tenant);
      const flow = await store.getResource("flows", scope, body.flowId);
      if (!flow)
        throw new FlowError("flowNotFound", `Flow ${body.flowId} is not found in this organization and sandbox.`, {
          flowId: body.flowId,
        });
      const frequency = isObject(flow.doc.scheduleParams) ? flow.doc.scheduleParams.frequency : undefined;
      if (frequency !== "once") {
        throw new FlowError(
          "onDemandRunNotAllowed",
          `On-demand runs are only for flows scheduled with frequency "once"; flow ${flow.id} runs every ${String(frequency)}.`,
          { flowId: flow.id },
        );
      }
      if (flow.doc.state !== "enabled") {
        throw new FlowError(
          "invalidState",
          `Flow ${flow.id} is ${String(flow.doc.state)}; enable it before running it.`,
          { flowId: flow.id },
        );
      }
      const entry = onDemandEntry(body, Date.now());
      if (!(await getCursor(store, flow.id))) await createCursor(store, scope, flow.id).catch(() => undefined);
      // Queue first: the runner creates a queued run's row itself if we die before the next line.
      await updateCursor(store, flow.id, (cursor) => ({ ...cursor, queue: [...cursor.queue, entry] }));
      const created = await createRun(store, flow, entry);
      runner.wake();
      return reply
        .status(201)
        .header("location", `${request.url.split("?")[0]}/${entry.runId}`)
        .send({ id: entry.runId, etag: quoteEtag(created.etag) });
    },
  );

  async function createRun(storeRef: typeof store, flow: StoredResource, entry: RunEntry): Promise<StoredResource> {
    try {
      return await storeRef.createResource({
        kind,
        scope: flow.scope,
        id: entry.runId,
        doc: newRunDoc(flow, entry),
        parentId: flow.id,
      });
    } catch (error) {
      const existing = await storeRef.getResource(kind, flow.scope, entry.runId);
      if (existing) return existing;
      throw error;
    }
  }
}
