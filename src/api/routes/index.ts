import type { FastifyInstance } from "fastify";
import type { InletConfig } from "../../config.ts";
import type { DatasetSink } from "../../datasets/dataset-sink.ts";
import type { FlowRunner } from "../../flows/flow-runner.ts";
import type { SecretBox } from "../../secrets/secret-box.ts";
import type { MetadataStore } from "../../store/metadata-store.ts";
import { registerBatchRoutes } from "./batches.ts";
import { registerConnectionSpecRoutes } from "./connection-specs.ts";
import { registerConnectionRoutes } from "./connections.ts";
import { registerDatasetRoutes } from "./datasets.ts";
import { registerExploreRoutes } from "./explore.ts";
import { registerFlowSpecRoutes } from "./flow-specs.ts";
import { registerFlowRoutes } from "./flows.ts";
import { registerMappingSetRoutes } from "./mapping-sets.ts";
import { registerPlaygroundRoutes } from "./playground.ts";
import { registerRunRoutes } from "./runs.ts";
import { registerSourceConnectionRoutes } from "./source-connections.ts";
import { registerTargetConnectionRoutes } from "./target-connections.ts";

/** Everything a route may use; routes stay thin and hand the work to these. */
export interface RouteDependencies {
  readonly config: InletConfig;
  readonly store: MetadataStore;
  readonly secrets: SecretBox;
  readonly datasets: DatasetSink;
  readonly runner: FlowRunner;
}

export type RouteRegistration = (app: FastifyInstance, deps: RouteDependencies) => void;

/**
 * The route table, by API: each entry registers one resource's routes. The app mounts each list
 * under its prefix behind the same authentication and tenancy hook.
 */
export const routeTable: Readonly<
  Record<"flowService" | "catalog" | "conversion" | "inlet", readonly RouteRegistration[]>
> = {
  flowService: [
    (app, deps) => registerConnectionSpecRoutes(app, deps.store),
    (app, deps) => registerFlowSpecRoutes(app, deps.store),
    (app, deps) => registerConnectionRoutes(app, deps),
    (app, deps) => registerExploreRoutes(app, deps),
    (app, deps) => registerSourceConnectionRoutes(app, deps),
    (app, deps) => registerTargetConnectionRoutes(app, deps),
    (app, deps) => registerFlowRoutes(app, deps),
    (app, deps) => registerRunRoutes(app, deps),
  ],
  catalog: [(app, deps) => registerDatasetRoutes(app, deps), (app, deps) => registerBatchRoutes(app, deps.store)],
  conversion: [(app, deps) => registerMappingSetRoutes(app, deps.store)],
  /** Inlet extensions that are not Adobe's API (the console's spec playground). */
  inlet: [(app, deps) => registerPlaygroundRoutes(app, deps)],
};
