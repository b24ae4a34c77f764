import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { FlowError } from "../../errors.ts";
import { connectionSpecJsonSchema, dataLakeConnectionSpecId, lintConnectionSpec } from "../../specs/index.ts";
import { globalScope, type MetadataStore } from "../../store/metadata-store.ts";
import { optionalIfMatch } from "../etag.ts";
import { listResponse, oneItem } from "../listing/list-response.ts";
import { authorship, presentSpec, withoutServerFields } from "../present.ts";
import { errorResponseSchema, idParamsSchema, ifMatchHeaderSchema, listEnvelopeSchema, listQuerySchema } from "../schemas.ts";
import { requireAdmin } from "../tenant.ts";
import { lintValidator, notFound } from "./route-helpers.ts";

const kind = "connectionSpecs";
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const tags = ["Connection specs"];
const errors = { 400: errorResponseSchema, 404: errorResponseSchema, 412: errorResponseSchema };

/** Connection specs are global templates (spec §1.2); only admin tokens may author them. */
export function registerConnectionSpecRoutes(app: FastifyInstance, store: MetadataStore): void {
  app.get(
    "/connectionSpecs",
    { schema: { tags, summary: "List connection specs", querystring: listQuerySchema, response: { 200: listEnvelopeSchema, ...errors } } },
    async (request) => {
      const specs = await store.listResources(kind, globalScope);
      return listResponse(request, specs.map((spec) => presentSpec(spec, request.tenant)));
    },
  );

  app.get<{ Params: { id: string } }>(
    "/connectionSpecs/:id",
    { schema: { tags, summary: "Get a connection spec", params: idParamsSchema, response: { 200: listEnvelopeSchema, ...errors } } },
    async (request) => {
      const spec = await store.getResource(kind, globalScope, request.params.id);
      if (!spec) throw notFound(kind, request.params.id);
      return oneItem(presentSpec(spec, request.tenant));
    },
  );

  app.post<{ Body: Record<string, unknown> }>(
    "/connectionSpecs",
    {
      schema: { tags, summary: "Create a connection spec (admin)", body: connectionSpecJsonSchema, response: { 201: { type: "object", additionalProperties: true }, ...errors } },
      validatorCompiler: lintValidator(lintConnectionSpec, "connection spec"),
    },
    async (request, reply) => {
      requireAdmin(request.tenant, "create connection specs");
      const id = typeof request.body.id === "string" ? request.body.id : randomUUID();
      if (!uuidPattern.test(id)) throw new FlowError("invalidSpecId", `Connection spec id "${id}" is not a UUID.`);
      if (await store.getResource(kind, globalScope, id)) {
        throw new FlowError("badRequest", `Connection spec ${id} exists already; replace it with PUT /connectionSpecs/${id}.`);
      }
      const doc = { ...withoutServerFields(request.body), ...authorship(request.tenant) };
      const created = await store.createResource({ kind, scope: globalScope, id, doc });
      return reply.status(201).header("location", `${request.url.split("?")[0]}/${id}`).send(presentSpec(created, request.tenant));
    },
  );

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
    "/connectionSpecs/:id",
    {
      schema: { tags, summary: "Replace a connection spec (admin)", params: idParamsSchema, headers: ifMatchHeaderSchema, body: connectionSpecJsonSchema, response: { 200: { type: "object", additionalProperties: true }, ...errors } },
      validatorCompiler: lintValidator(lintConnectionSpec, "connection spec"),
    },
    async (request) => {
      requireAdmin(request.tenant, "update connection specs");
      const { id } = request.params;
      if (request.body.id !== undefined && request.body.id !== id) {
        throw new FlowError("invalidSpecId", `The body's id "${String(request.body.id)}" differs from the path's ${id}.`);
      }
      const existing = await store.getResource(kind, globalScope, id);
      if (!existing) throw notFound(kind, id);
      const doc = { ...withoutServerFields(request.body), ...authorship(request.tenant, existing.doc) };
      const expectedEtag = optionalIfMatch(request.headers["if-match"]);
      const updated = await store.updateResource({ kind, scope: globalScope, id, doc, expectedEtag });
      return presentSpec(updated, request.tenant);
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/connectionSpecs/:id",
    { schema: { tags, summary: "Delete a connection spec no connection uses (admin)", params: idParamsSchema, response: { 204: { type: "null" }, ...errors } } },
    async (request, reply) => {
      requireAdmin(request.tenant, "delete connection specs");
      const { id } = request.params;
      if (id === dataLakeConnectionSpecId) throw new FlowError("badRequest", "The built-in Data Lake connection spec cannot be deleted.");
      if (!(await store.getResource(kind, globalScope, id))) throw notFound(kind, id);
      const users = await store.countByParent("connections", id);
      if (users > 0) {
        throw new FlowError("inUse", `Connection spec ${id} is used by ${users} connection(s); delete them first.`, { id });
      }
      await store.deleteResource(kind, globalScope, id, optionalIfMatch(request.headers["if-match"]));
      return reply.status(204).send();
    },
  );
}
