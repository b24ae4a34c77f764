import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  assertBaseConnectionDeletable,
  baseConnectionBodySchema,
  type ConnectionDeps,
  maskSecrets,
  prepareBaseConnection,
  prepareBaseConnectionPatch,
  testConnection,
} from "../../connections/index.ts";
import type { StoredResource } from "../../store/metadata-store.ts";
import { presentInstance } from "../present.ts";
import { errorResponseSchema, idParamsSchema } from "../schemas.ts";
import { scopeOf, type Tenant } from "../tenant.ts";
import type { RouteDependencies } from "./index.ts";
import { registerInstanceRoutes } from "./instance-routes.ts";

/** The connection functions' dependencies for one request (its logger carries the request id). */
export function connectionDeps(deps: RouteDependencies, request: FastifyRequest): ConnectionDeps {
  return { store: deps.store, secrets: deps.secrets, logger: request.log, egress: deps.config.egress };
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
  registerInstanceRoutes(app, deps.store, {
    kind: "connections",
    tag: "Connections",
    bodySchema: baseConnectionBodySchema,
    prepareCreate: (body, context) => prepareBaseConnection(connectionDeps(deps, context.request), context.id, body),
    preparePatch: (patched, previous, context) =>
      prepareBaseConnectionPatch(connectionDeps(deps, context.request), patched, previous),
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
