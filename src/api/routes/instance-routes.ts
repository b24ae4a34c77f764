import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { FlowError } from "../../errors.ts";
import { withoutServerFields } from "../../specs/index.ts";
import type { JsonObject, MetadataStore, ResourceKind, StoredResource } from "../../store/metadata-store.ts";
import { requireIfMatch } from "../etag.ts";
import { applyPatch, parsePatch } from "../json-patch.ts";
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
import { notFound } from "./route-helpers.ts";

/** What a kind of instance resource (connection, flow, …) adds to the shared CRUD routes. */
export interface InstanceDefinition {
  readonly kind: ResourceKind;
  readonly tag: string;
  readonly bodySchema: object;
  /** Validates a create body and returns the document to store; may throw FlowError. */
  prepareCreate(body: JsonObject, context: InstanceContext): Promise<Prepared>;
  /** Validates a patched document; `previous` is the stored one. */
  preparePatch(patched: JsonObject, previous: StoredResource, context: InstanceContext): Promise<Prepared>;
  /** Shapes the stored document for a response (e.g. masks secrets). */
  present(resource: StoredResource, tenant: Tenant): Record<string, unknown>;
  /** Throws FlowError when the resource may not be deleted (e.g. still used by a flow). */
  assertDeletable?(resource: StoredResource, context: InstanceContext): Promise<void>;
  /** Runs after a delete (e.g. removes derived files). */
  afterDelete?(resource: StoredResource, context: InstanceContext): Promise<void>;
}

export interface Prepared {
  readonly doc: JsonObject;
  readonly parentId?: string | null;
}

export interface InstanceContext {
  readonly id: string;
  readonly tenant: Tenant;
  readonly store: MetadataStore;
  readonly request: FastifyRequest;
}

const errors = { 400: errorResponseSchema, 404: errorResponseSchema, 412: errorResponseSchema };
const idAndEtag = {
  type: "object",
  properties: { id: { type: "string" }, etag: { type: "string" } },
} as const;

export function registerInstanceRoutes(
  app: FastifyInstance,
  store: MetadataStore,
  definition: InstanceDefinition,
): void {
  const { kind } = definition;
  const tags = [definition.tag];
  const context = (request: FastifyRequest, id: string): InstanceContext => ({
    id,
    tenant: request.tenant,
    store,
    request,
  });

  async function load(request: FastifyRequest, id: string): Promise<StoredResource> {
    const resource = await store.getResource(kind, scopeOf(request.tenant), id);
    if (!resource) throw notFound(kind, id);
    return resource;
  }

  app.get(
    `/${kind}`,
    {
      schema: {
        tags,
        summary: `List ${kind}`,
        querystring: listQuerySchema,
        response: { 200: listEnvelopeSchema, ...errors },
      },
    },
    async (request) => {
      const resources = await store.listResources(kind, scopeOf(request.tenant));
      return listResponse(
        request,
        resources.map((resource) => definition.present(resource, request.tenant)),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    `/${kind}/:id`,
    {
      schema: {
        tags,
        summary: `Get one of ${kind}`,
        params: idParamsSchema,
        response: { 200: listEnvelopeSchema, ...errors },
      },
    },
    async (request) => oneItem(definition.present(await load(request, request.params.id), request.tenant)),
  );

  app.post<{ Body: JsonObject }>(
    `/${kind}`,
    {
      schema: {
        tags,
        summary: `Create one of ${kind}`,
        body: definition.bodySchema,
        response: { 201: idAndEtag, ...errors },
      },
    },
    async (request, reply) => {
      const id = randomUUID();
      const prepared = await definition.prepareCreate(withoutServerFields(request.body), context(request, id));
      const doc = { ...prepared.doc, ...authorship(request.tenant) };
      const created = await store.createResource({
        kind,
        scope: scopeOf(request.tenant),
        id,
        doc,
        parentId: prepared.parentId ?? null,
      });
      const wire = definition.present(created, request.tenant);
      return reply
        .status(201)
        .header("location", `${request.url.split("?")[0]}/${id}`)
        .send({ id, etag: wire.etag });
    },
  );

  app.patch<{ Params: { id: string }; Body: unknown }>(
    `/${kind}/:id`,
    {
      schema: {
        tags,
        summary: `Update one of ${kind} with a JSON Patch array (If-Match required)`,
        params: idParamsSchema,
        headers: ifMatchHeaderSchema,
        body: { anyOf: [{ type: "array", items: anyObject }, anyObject] },
        response: { 200: idAndEtag, ...errors },
      },
    },
    async (request) => {
      const expectedEtag = requireIfMatch(request.headers["if-match"]);
      const existing = await load(request, request.params.id);
      // A stale etag is answered before the patch is validated (which may call the source); the
      // store's compare-and-set below still decides a race between two fresh updates.
      if (expectedEtag !== undefined && expectedEtag !== existing.etag) throw staleEtag(existing, expectedEtag);
      const operations = parsePatch(request.body);
      const patched = applyPatch(existing.doc, operations);
      const prepared = await definition.preparePatch(patched, existing, context(request, existing.id));
      // No `lastOperation` here: Adobe shows it on flows only, and the ops of a connection patch
      // could carry a new secret in clear text.
      const doc = { ...prepared.doc, ...authorship(request.tenant, existing.doc) };
      const updated = await store.updateResource({
        kind,
        scope: scopeOf(request.tenant),
        id: existing.id,
        doc,
        expectedEtag: expectedEtag ?? existing.etag,
        parentId: prepared.parentId === undefined ? existing.parentId : prepared.parentId,
      });
      const wire = definition.present(updated, request.tenant);
      return { id: updated.id, etag: wire.etag };
    },
  );

  app.delete<{ Params: { id: string } }>(
    `/${kind}/:id`,
    {
      schema: {
        tags,
        summary: `Delete one of ${kind}`,
        params: idParamsSchema,
        response: { 204: { type: "null" }, ...errors },
      },
    },
    async (request, reply) => {
      const existing = await load(request, request.params.id);
      await definition.assertDeletable?.(existing, context(request, existing.id));
      const etag = request.headers["if-match"] === undefined ? undefined : requireIfMatch(request.headers["if-match"]);
      const deleted = await store.deleteResource(kind, scopeOf(request.tenant), existing.id, etag);
      if (!deleted) throw notFound(kind, existing.id);
      await definition.afterDelete?.(existing, context(request, existing.id));
      return reply.status(204).send();
    },
  );
}

function staleEtag(existing: StoredResource, supplied: string): FlowError {
  return new FlowError(
    "versionMismatch",
    `Supplied version=["${supplied}"] does not match the current version on entity=["${existing.etag}"]`,
    { id: existing.id, type: existing.kind },
  );
}

/** The default presenter: instance metadata, nothing hidden. */
export function presentPlain(resource: StoredResource, tenant: Tenant): Record<string, unknown> {
  return presentInstance(resource, tenant);
}
