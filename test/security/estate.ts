/**
 * What the security suites need in place: one org's complete workflow (connection spec, base and
 * source connection, dataset, target connection, mapping set, a `once` flow, its run and batch),
 * built through the API against a records API that checks a Basic password.
 */
import { restStorageToAepFlowSpecId } from "../../src/specs/index.ts";
import { type Imitation, sendJson, startImitation } from "../imitation-apis/server.ts";
import { recordsSpec } from "../support/flows-apis.ts";
import { createFlow, type FlowApi, prepareWorkflow, registerSpec, waitForRuns } from "../support/flows-workflow.ts";

export interface Estate {
  readonly connectionSpecs: string;
  readonly flowSpecs: string;
  readonly connections: string;
  readonly sourceConnections: string;
  readonly targetConnections: string;
  readonly dataSets: string;
  readonly mappingSets: string;
  readonly flows: string;
  readonly runs: string;
  readonly batches: string;
}

/** A single page `{items:[…]}` for the right Basic password; 401 otherwise. */
export function startGuardedRecordsApi(password: string): Promise<Imitation> {
  return startImitation((req, res) => {
    const header = req.headers.authorization ?? "";
    const decoded = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString() : "";
    if (!decoded.endsWith(`:${password}`)) return sendJson(res, 401, { error: "unauthorized" });
    sendJson(res, 200, {
      items: [
        { id: 1, label: "one" },
        { id: 2, label: "two" },
      ],
    });
  });
}

export const estateSchema = {
  type: "object",
  properties: { id: { type: "integer" }, label: { type: "string" } },
};

/** Builds the estate as `api` (its org and sandbox), the spec registered by `admin`. */
export async function buildEstate(admin: FlowApi, api: FlowApi, host: string, password: string): Promise<Estate> {
  const connectionSpecId = await registerSpec(admin, recordsSpec(host, `Security estate ${Math.random()}`));
  const workflow = await prepareWorkflow(api, {
    connectionSpecId,
    auth: { specName: "Basic Authentication", params: { username: "ana", password } },
    schema: estateSchema,
    mappings: [
      { sourceType: "ATTRIBUTE", source: "items.id", destination: "id" },
      { sourceType: "ATTRIBUTE", source: "items.label", destination: "label" },
    ],
    scheduleParams: { startTime: Math.floor(Date.now() / 1000) - 60, frequency: "once" },
  });
  const flowId = await createFlow(api, workflow);
  const [run] = await waitForRuns(api, flowId, 1);
  if (run.state !== "success") throw new Error(`the estate's run failed: ${JSON.stringify(run.metrics)}`);
  return {
    connectionSpecs: connectionSpecId,
    flowSpecs: restStorageToAepFlowSpecId,
    connections: workflow.baseConnectionId as string,
    sourceConnections: workflow.sourceConnectionId,
    targetConnections: workflow.targetConnectionId,
    dataSets: workflow.datasetId,
    mappingSets: workflow.mappingId as string,
    flows: flowId,
    runs: run.id,
    batches: run.execution.batchId,
  };
}

/** A route of the app: one method and its path with `:param` placeholders. */
export interface Route {
  readonly method: string;
  readonly path: string;
}

/**
 * Every route of a Fastify app, from `printRoutes({commonPrefix: false})`: each line of the tree
 * is a path segment relative to its parent, followed by its methods.
 */
export function routesOf(tree: string): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of tree.split("\n")) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4;
    stack.length = depth;
    const path = `${stack.at(-1) ?? ""}${match[2]}`;
    stack.push(path);
    for (const method of (match[3] as string).split(",").map((m) => m.trim())) routes.push({ method, path });
  }
  return routes;
}
