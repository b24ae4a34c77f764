import type { FastifyInstance } from "fastify";
import { createDataset, datasetKind, deleteDataset, prepareDataset } from "../../datasets/catalog.ts";
import type { DatasetSink } from "../../datasets/dataset-sink.ts";
import type { JsonObject, MetadataStore, StoredResource } from "../../store/metadata-store.ts";
import { authorship } from "../present.ts";
import { anyObject, errorResponseSchema, idParamsSchema } from "../schemas.ts";
import { scopeOf, type Tenant } from "../tenant.ts";
import { registerCatalogReads } from "./catalog-reads.ts";
import type { OffsetListOptions } from "./offset-list.ts";
import { notFound } from "./route-helpers.ts";

const tags = ["Catalog datasets"];
const errors = { 400: errorResponseSchema, 404: errorResponseSchema };
const references = { type: "array", items: { type: "string" }, description: 'e.g. ["@/dataSets/<id>"]' } as const;

export const datasetListOptions: OffsetListOptions = {
  defaultLimit: 20,
  maxLimit: 100,
  orderStyle: "catalog",
  orderFields: {
    created: (r) => r.createdAt,
    updated: (r) => r.updatedAt,
    name: (r) => (typeof r.doc.name === "string" ? r.doc.name : ""),
  },
  filters: { name: (r, value) => r.doc.name === value },
  projection: true,
};

/** Catalog's metadata fields, from the store's row and the authorship stamped into the document. */
export function catalogMetadata(resource: StoredResource, tenant: Tenant): Record<string, unknown> {
  const doc = resource.doc;
  return {
    imsOrg: resource.scope.orgId,
    sandboxId: tenant.sandboxId,
    sandboxName: resource.scope.sandboxName,
    created: resource.createdAt,
    updated: resource.updatedAt,
    ...(doc.createdClient === undefined ? {} : { createdClient: doc.createdClient }),
    ...(doc.createdBy === undefined ? {} : { createdUser: doc.createdBy }),
    ...(doc.updatedBy === undefined ? {} : { updatedUser: doc.updatedBy }),
    version: "1.0.0",
  };
}

export function presentDataset(resource: StoredResource, tenant: Tenant): Record<string, unknown> {
  const { createdBy, updatedBy, createdClient, updatedClient, ...fields } = resource.doc;
  return { ...fields, ...catalogMetadata(resource, tenant) };
}

/**
 * Catalog datasets (spec §1.7) under /data/foundation/catalog: objects keyed by id, created with
 * the row's JSON Schema inline. POST registers the dataset with the sink so `inlet query` sees an
 * empty view at once; DELETE removes its batches and files and is refused while a target
 * connection names it.
 */
export function registerDatasetRoutes(
  app: FastifyInstance,
  deps: { store: MetadataStore; datasets: DatasetSink },
): void {
  const { store } = deps;

  registerCatalogReads(app, store, {
    kind: datasetKind,
    path: "dataSets",
    tag: "Catalog datasets",
    listSummary: "List datasets (Catalog: limit 1-100, default 20; start; orderBy=desc:created; properties; name)",
    itemSummary: "Get a dataset, keyed by its id",
    list: datasetListOptions,
    present: presentDataset,
  });

  app.post<{ Body: JsonObject }>(
    "/dataSets",
    {
      schema: {
        tags,
        summary: "Create a dataset from {name, description?, schema} (schema: draft-07 JSON Schema of one row)",
        body: anyObject,
        response: { 201: references, ...errors },
      },
    },
    async (request, reply) => {
      const doc = { ...prepareDataset(request.body, request.tenant.orgId), ...authorship(request.tenant) };
      const created = await createDataset(deps, scopeOf(request.tenant), doc);
      return reply
        .status(201)
        .header("location", `${request.url.split("?")[0]}/${created.id}`)
        .send([`@/dataSets/${created.id}`]);
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/dataSets/:id",
    {
      schema: {
        tags,
        summary: "Delete a dataset, its batches and its files (refused while a target connection uses it)",
        params: idParamsSchema,
        response: { 200: references, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await deleteDataset(deps, scopeOf(request.tenant), id))) throw notFound(datasetKind, id);
      return [`@/dataSets/${id}`];
    },
  );
}
