import type { FastifyInstance } from "fastify";
import type { MetadataStore, ResourceKind, StoredResource } from "../../store/metadata-store.ts";
import { errorResponseSchema, idParamsSchema } from "../schemas.ts";
import { scopeOf, type Tenant } from "../tenant.ts";
import { type OffsetListOptions, offsetPage, project } from "./offset-list.ts";
import { notFound } from "./route-helpers.ts";

const errors = { 400: errorResponseSchema, 404: errorResponseSchema };

/** Catalog answers lists and single objects alike as an object keyed by id. */
export const keyedObjects = {
  description: "Catalog objects keyed by id",
  type: "object",
  additionalProperties: true,
} as const;

/** GET `/<path>` (Catalog's offset paging, filters and projection) and GET `/<path>/{id}`. */
export function registerCatalogReads(
  app: FastifyInstance,
  store: MetadataStore,
  options: {
    readonly kind: ResourceKind;
    readonly path: string;
    readonly tag: string;
    readonly listSummary: string;
    readonly itemSummary: string;
    readonly list: OffsetListOptions;
    readonly present: (resource: StoredResource, tenant: Tenant) => Record<string, unknown>;
  },
): void {
  const { kind, present } = options;
  const tags = [options.tag];
  app.get(
    `/${options.path}`,
    { schema: { tags, summary: options.listSummary, response: { 200: keyedObjects, ...errors } } },
    async (request) => {
      const resources = await store.listResources(kind, scopeOf(request.tenant));
      const page = offsetPage(request.query as Record<string, unknown>, resources, options.list);
      return Object.fromEntries(page.items.map((r) => [r.id, project(present(r, request.tenant), page.properties)]));
    },
  );
  app.get<{ Params: { id: string } }>(
    `/${options.path}/:id`,
    {
      schema: {
        tags,
        summary: options.itemSummary,
        params: idParamsSchema,
        response: { 200: keyedObjects, ...errors },
      },
    },
    async (request) => {
      const resource = await store.getResource(kind, scopeOf(request.tenant), request.params.id);
      if (!resource) throw notFound(kind, request.params.id);
      return { [resource.id]: present(resource, request.tenant) };
    },
  );
}
