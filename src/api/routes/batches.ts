import type { FastifyInstance } from "fastify";
import { batchKind } from "../../datasets/catalog.ts";
import type { MetadataStore, StoredResource } from "../../store/metadata-store.ts";
import type { Tenant } from "../tenant.ts";
import { registerCatalogReads } from "./catalog-reads.ts";
import { catalogMetadata } from "./datasets.ts";
import type { OffsetListOptions } from "./offset-list.ts";

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
  registerCatalogReads(app, store, {
    kind: batchKind,
    path: "batches",
    tag: "Catalog batches",
    listSummary: "List batches (Catalog: dataSet, status, limit 1-100, start, orderBy=desc:created, properties)",
    itemSummary: "Get a batch, keyed by its id",
    list: batchListOptions,
    present: presentBatch,
  });
}
