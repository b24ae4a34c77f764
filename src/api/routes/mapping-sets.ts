import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { FlowError } from "../../errors.ts";
import { mappingSetKind } from "../../mapping/index.ts";
import { prepareMappingSet } from "../../mapping/prepare.ts";
import type { JsonObject, MetadataStore, StoredResource } from "../../store/metadata-store.ts";
import { authorship } from "../present.ts";
import { anyObject, errorResponseSchema, idParamsSchema } from "../schemas.ts";
import { scopeOf } from "../tenant.ts";
import { type OffsetListOptions, offsetPage } from "./offset-list.ts";
import { notFound } from "./route-helpers.ts";

const tags = ["Data Prep mapping sets"];
const errors = { 400: errorResponseSchema, 404: errorResponseSchema };
const created = {
  type: "object",
  properties: {
    id: { type: "string" },
    version: { type: "integer" },
    createdDate: { type: "integer" },
    modifiedDate: { type: "integer" },
    createdBy: { type: "string" },
    modifiedBy: { type: "string" },
  },
} as const;

const listOptions: OffsetListOptions = {
  defaultLimit: 100,
  maxLimit: 1000,
  orderStyle: "dataPrep",
  orderFields: {
    createdDate: (r) => r.createdAt,
    updatedDate: (r) => r.updatedAt,
    modifiedDate: (r) => r.updatedAt,
  },
  filters: { name: (r, value) => r.doc.name === value },
  ignored: ["expandSchema"],
  projection: false,
};

/** Data Prep's metadata: version 0 (sets are immutable here), dates in epoch ms. */
function summary(resource: StoredResource): Record<string, unknown> {
  return {
    id: resource.id,
    version: 0,
    createdDate: resource.createdAt,
    modifiedDate: resource.updatedAt,
    createdBy: resource.doc.createdBy,
    modifiedBy: resource.doc.updatedBy,
  };
}

export function presentMappingSet(resource: StoredResource): Record<string, unknown> {
  const { createdBy, updatedBy, createdClient, updatedClient, ...fields } = resource.doc;
  return { ...summary(resource), ...fields };
}

/**
 * Data Prep mapping sets (spec §1.7) under /data/foundation/conversion, both body dialects.
 * Validation lives in mapping/prepare.ts: 1419 for anything that cannot map, 1425 when the set's
 * schema is not its dataset's. DELETE is refused while a flow's Mapping transformation names the set.
 */
export function registerMappingSetRoutes(app: FastifyInstance, store: MetadataStore): void {
  app.post<{ Body: JsonObject }>(
    "/mappingSets",
    {
      schema: {
        tags,
        summary: "Create a mapping set (xdmSchema/sourceAttribute or sourceType/source/destination dialect)",
        body: anyObject,
        response: { 201: created, ...errors },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request.tenant);
      const { doc } = await prepareMappingSet(store, scope, request.body);
      const id = randomUUID().replaceAll("-", "");
      const resource = await store.createResource({
        kind: mappingSetKind,
        scope,
        id,
        doc: { ...doc, ...authorship(request.tenant) },
      });
      return reply
        .status(201)
        .header("location", `${request.url.split("?")[0]}/${id}`)
        .send(summary(resource));
    },
  );

  app.get(
    "/mappingSets",
    {
      schema: {
        tags,
        summary: "List mapping sets (limit, start, orderBy=-createdDate, name)",
        response: { 200: { type: "object", additionalProperties: true }, ...errors },
      },
    },
    async (request) => {
      const resources = await store.listResources(mappingSetKind, scopeOf(request.tenant));
      const page = offsetPage(request.query as Record<string, unknown>, resources, listOptions);
      return {
        data: page.items.map(presentMappingSet),
        _page: { count: page.items.length, totalCount: page.total, start: page.start, limit: page.limit },
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/mappingSets/:id",
    {
      schema: {
        tags,
        summary: "Get a mapping set",
        params: idParamsSchema,
        response: { 200: { type: "object", additionalProperties: true }, ...errors },
      },
    },
    async (request) => {
      const resource = await store.getResource(mappingSetKind, scopeOf(request.tenant), request.params.id);
      if (!resource) throw notFound(mappingSetKind, request.params.id);
      return presentMappingSet(resource);
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/mappingSets/:id",
    {
      schema: {
        tags,
        summary: "Delete a mapping set no flow uses",
        params: idParamsSchema,
        response: { 204: { type: "null" }, ...errors },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request.tenant);
      const { id } = request.params;
      if (!(await store.getResource(mappingSetKind, scope, id))) throw notFound(mappingSetKind, id);
      const users = (await store.listResources("flows", scope))
        .filter((flow) => usesMappingSet(flow.doc, id))
        .map((f) => f.id);
      if (users.length > 0) {
        throw new FlowError(
          "inUse",
          `Mapping set ${id} is used by flow(s) ${users.join(", ")}; change or delete them first.`,
          {
            id,
            flowIds: users,
          },
        );
      }
      await store.deleteResource(mappingSetKind, scope, id);
      return reply.status(204).send();
    },
  );
}

function usesMappingSet(flow: JsonObject, id: string): boolean {
  const transformations = flow.transformations;
  if (!Array.isArray(transformations)) return false;
  return transformations.some((t) => {
    const params = typeof t === "object" && t !== null ? (t as JsonObject).params : undefined;
    return typeof params === "object" && params !== null && (params as JsonObject).mappingId === id;
  });
}
