import type { FastifyInstance } from "fastify";
import {
  assertTargetConnectionDeletable,
  prepareTargetConnection,
  prepareTargetConnectionPatch,
  targetConnectionBodySchema,
} from "../../connections/index.ts";
import { scopeOf } from "../tenant.ts";
import { connectionDeps, presentMasked } from "./connections.ts";
import type { RouteDependencies } from "./index.ts";
import { registerInstanceRoutes } from "./instance-routes.ts";

/** Target connections (spec §1.6, §2.4): the Data Lake spec and a dataset of the caller's sandbox. */
export function registerTargetConnectionRoutes(app: FastifyInstance, deps: RouteDependencies): void {
  registerInstanceRoutes(app, deps.store, {
    kind: "targetConnections",
    tag: "Target connections",
    bodySchema: targetConnectionBodySchema,
    prepareCreate: (body, context) =>
      prepareTargetConnection(connectionDeps(deps, context.request), scopeOf(context.tenant), body),
    preparePatch: (patched, previous, context) =>
      prepareTargetConnectionPatch(connectionDeps(deps, context.request), scopeOf(context.tenant), patched, previous),
    present: presentMasked,
    assertDeletable: (resource, context) =>
      assertTargetConnectionDeletable(connectionDeps(deps, context.request), scopeOf(context.tenant), resource),
  });
}
