import type { FastifyInstance } from "fastify";
import {
  assertSourceConnectionDeletable,
  prepareSourceConnection,
  prepareSourceConnectionPatch,
  sourceConnectionBodySchema,
} from "../../connections/index.ts";
import { scopeOf } from "../tenant.ts";
import { connectionDeps, presentMasked } from "./connections.ts";
import type { RouteDependencies } from "./index.ts";
import { registerInstanceRoutes } from "./instance-routes.ts";

/** Source connections (spec §1.5, §2.4). */
export function registerSourceConnectionRoutes(app: FastifyInstance, deps: RouteDependencies): void {
  registerInstanceRoutes(app, deps.store, {
    kind: "sourceConnections",
    tag: "Source connections",
    bodySchema: sourceConnectionBodySchema,
    prepareCreate: (body, context) =>
      prepareSourceConnection(connectionDeps(deps, context.request), scopeOf(context.tenant), context.id, body),
    preparePatch: (patched, previous, context) =>
      prepareSourceConnectionPatch(connectionDeps(deps, context.request), scopeOf(context.tenant), patched, previous),
    present: presentMasked,
    assertDeletable: (resource, context) =>
      assertSourceConnectionDeletable(connectionDeps(deps, context.request), scopeOf(context.tenant), resource),
  });
}
