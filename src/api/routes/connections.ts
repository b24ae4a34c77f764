import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  assertBaseConnectionDeletable,
  baseConnectionBodySchema,
  type ConnectionDeps,
  maskPatchOperations,
  maskSecrets,
  prepareBaseConnection,
  prepareBaseConnectionPatch,
  testConnection,
} from "../../connections/index.ts";
import { FlowError } from "../../errors.ts";
import type { MetadataStore, StoredResource, UpdateResourceInput } from "../../store/metadata-store.ts";
import { parseIfMatch } from "../etag.ts";
import { presentInstance } from "../present.ts";
import { errorResponseSchema, idParamsSchema } from "../schemas.ts";
import { scopeOf, type Tenant } from "../tenant.ts";
import type { RouteDependencies } from "./index.ts";
import { registerInstanceRoutes } from "./instance-routes.ts";

/** The connection functions' dependencies for one request (its logger carries the request id). */
export function connectionDeps(deps: RouteDependencies, request: FastifyRequest): ConnectionDeps {
  return { store: deps.store, secrets: deps.secrets, logger: request.log };
}

/**
 * A stale If-Match is answered 412 before a patch is validated (and before an authorization test
 * calls the source); the store's compare-and-set still decides the race afterwards.
 */
export function assertFreshEtag(request: FastifyRequest, previous: StoredResource): void {
  const etag = parseIfMatch(request.headers["if-match"]);
  if (etag === undefined || etag === "*" || etag === previous.etag) return;
  throw new FlowError(
    "versionMismatch",
    `Supplied version=["${etag}"] does not match the current version on entity=["${previous.etag}"]`,
    { id: previous.id, type: previous.kind },
  );
}

/**
 * The store as the shared instance routes use it for connections: PATCH records its ops in
 * `lastOperation.ops`, which would keep a new secret in clear text; they are masked before writing.
 */
export function secretSafeStore(store: MetadataStore): MetadataStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === "updateResource") {
        return (input: UpdateResourceInput) => target.updateResource({ ...input, doc: maskPatchOperations(input.doc) });
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Instance metadata, every sealed value shown as `***`. */
export function presentMasked(resource: StoredResource, tenant: Tenant): Record<string, unknown> {
  return presentInstance({ ...resource, doc: maskSecrets(resource.doc) }, tenant);
}

const errors = {
  400: errorResponseSchema,
  404: errorResponseSchema,
  500: errorResponseSchema,
  502: errorResponseSchema,
};

/** Base connections (spec §1.4, §2.4): CRUD plus GET /connections/{id}/test. */
export function registerConnectionRoutes(app: FastifyInstance, deps: RouteDependencies): void {
  registerInstanceRoutes(app, secretSafeStore(deps.store), {
    kind: "connections",
    tag: "Connections",
    bodySchema: baseConnectionBodySchema,
    prepareCreate: (body, context) => prepareBaseConnection(connectionDeps(deps, context.request), context.id, body),
    preparePatch: (patched, previous, context) => {
      assertFreshEtag(context.request, previous);
      return prepareBaseConnectionPatch(connectionDeps(deps, context.request), patched, previous);
    },
    present: presentMasked,
    assertDeletable: (resource, context) =>
      assertBaseConnectionDeletable(connectionDeps(deps, context.request), scopeOf(context.tenant), resource),
  });

  app.get<{ Params: { id: string } }>(
    "/connections/:id/test",
    {
      schema: {
        tags: ["Connections"],
        summary: "Test a base connection's credentials (authorizationTestUrl, else a one-record preview)",
        params: idParamsSchema,
        response: {
          200: { type: "object", properties: { result: { type: "boolean" }, reason: { type: "string" } } },
          ...errors,
        },
      },
    },
    async (request) => testConnection(connectionDeps(deps, request), scopeOf(request.tenant), request.params.id),
  );
}
