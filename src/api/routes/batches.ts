import type { FastifyInstance } from "fastify";
import { batchKind } from "../../datasets/catalog.ts";
import type { MetadataStore, StoredResource } from "../../store/metadata-store.ts";
import { errorResponseSchema, idParamsSchema } from "../schemas.ts";
import { scopeOf, type Tenant } from "../tenant.ts";
import { catalogMetadata } from "./datasets.ts";
import { type OffsetListOptions, offsetPage, project } from "./offset-list.ts";
import { notFound } from "./route-helpers.ts";

const tags = ["Catalog batches"];
const errors = { 400: errorResponseSchema, 404: errorResponseSchema };
const keyedObjects = {
  description: "Catalog batches keyed by id",
  type: "object",
  additionalProperties: true,
} as const;

const batchListOptions: OffsetListOptions = {
  defaultLimit: 20,
  maxLimit: 100,
  orderStyle: "catalog",
  orderFields: {
    created: (r) => r.createdAt,
    updated: (r) => r.updatedAt,
    started: (r) => (typeof r.doc.started === "number" ? r.doc.started : 0),
    completed: (r) => (typeof r.doc.completed === "number" ? r.doc.completed : 0),
  },
  filters: {
    dataSet: (r, value) => r.parentId === value,
    status: (r, value) => r.doc.status === value,
  },
  projection: true,
};

export function presentBatch(resource: StoredResource, tenant: Tenant): Record<string, unknown> {
  return { ...resource.doc, ...catalogMetadata(resource, tenant) };
}

/**
 * Catalog batches: one per flow run window that wrote to a dataset, recorded by the run executor
 * (datasets/catalog.ts `recordBatch`); read-only here. `GET /batches?dataSet=<id>` lists a
 * dataset's batches.
 */
export function registerBatchRoutes(app: FastifyInstance, store: MetadataStore): void {
  app.get(
    "/batches",
    {
      schema: {
        tags,
        summary: "List batches (Catalog: dataSet, status, limit 1-100, start, orderBy=desc:created, properties)",
        response: { 200: keyedObjects, ...errors },
      },
    },
    async (request) => {
      const resources = await store.listResources(batchKind, scopeOf(request.tenant));
      const page = offsetPage(request.query as Record<string, unknown>, resources, batchListOptions);
      return Object.fromEntries(
        page.items.map((r) => [r.id, project(presentBatch(r, request.tenant), page.properties)]),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    "/batches/:id",
    {
      schema: {
        tags,
        summary: "Get a batch, keyed by its id",
        params: idParamsSchema,
        response: { 200: keyedObjects, ...errors },
      },
    },
    async (request) => {
      const resource = await store.getResource(batchKind, scopeOf(request.tenant), request.params.id);
      if (!resource) throw notFound(batchKind, request.params.id);
      return { [resource.id]: presentBatch(resource, request.tenant) };
    },
  );
}
