/**
 * The spec §7 workflow over real sockets, for the flow and run suites: connection spec → flow
 * spec PUT → base connection → source connection → dataset → target connection → mapping set →
 * flow, then polling the flow's runs and counting the dataset's rows with DuckDB.
 */
import { expect } from "vitest";
import { runDatasetQuery } from "../../src/datasets/query.ts";
import { restStorageToAepFlowSpecId } from "../../src/specs/index.ts";
import type { IssuedToken } from "../../src/tenancy/tokens.ts";
import { headersFor } from "./server.ts";

export const flowServiceBase = "/data/foundation/flowservice";
export const dataLakeSpecId = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";

/** Engine HTTP settings that make failing upstreams fail in milliseconds. */
export const fastHttp = {
  maxRetries: 1,
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  retryAfterCapMs: 50,
  headersTimeoutMs: 5_000,
  bodyTimeoutMs: 5_000,
};

/** Runner settings for in-process servers: poll often, heartbeat often, fail fast. */
export const fastRunner = { pollMs: 100, heartbeatMs: 200, http: fastHttp };

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test replies are inspected freely
  readonly body: any;
}

/** A caller of the API as one token in one sandbox. */
export class FlowApi {
  constructor(
    readonly url: string,
    readonly token: IssuedToken,
    readonly sandbox?: string,
  ) {}

  as(token: IssuedToken, sandbox?: string): FlowApi {
    return new FlowApi(this.url, token, sandbox);
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const response = await fetch(`${this.url}${path.startsWith("/data") ? path : flowServiceBase + path}`, {
      method,
      headers: {
        ...headersFor(this.token, this.sandbox),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  async ok(method: string, path: string, body?: unknown, status = method === "POST" ? 201 : 200): Promise<Reply> {
    const reply = await this.call(method, path, body);
    if (reply.status !== status) {
      throw new Error(`${method} ${path} answered ${reply.status}, expected ${status}: ${JSON.stringify(reply.body)}`);
    }
    return reply;
  }
}

/** Creates a connection spec (admin) and appends it to RestStorageToAEP's sourceConnectionSpecIds. */
export async function registerSpec(admin: FlowApi, spec: Record<string, unknown>): Promise<string> {
  const created = await admin.call("POST", "/connectionSpecs", spec);
  if (created.status !== 201 && created.status !== 200) {
    throw new Error(`POST /connectionSpecs answered ${created.status}: ${JSON.stringify(created.body)}`);
  }
  const id = created.body.id as string;
  const flowSpec = (await admin.ok("GET", `/flowSpecs/${restStorageToAepFlowSpecId}`)).body.items[0];
  const fields = [
    "name",
    "providerId",
    "version",
    "sourceConnectionSpecIds",
    "targetConnectionSpecIds",
    "optionSpec",
    "transformationSpecs",
    "scheduleSpec",
    "attributes",
    "permissionsInfo",
  ];
  const body: Record<string, unknown> = {};
  for (const field of fields) if (flowSpec[field] !== undefined) body[field] = flowSpec[field];
  body.sourceConnectionSpecIds = [...(flowSpec.sourceConnectionSpecIds as string[]), id];
  await admin.ok("PUT", `/flowSpecs/${restStorageToAepFlowSpecId}`, body);
  return id;
}

export interface WorkflowOptions {
  /** A connection spec id from `registerSpec`. */
  readonly connectionSpecId: string;
  readonly auth?: { readonly specName: string; readonly params: Record<string, unknown> };
  readonly sourceParams?: Record<string, unknown>;
  /** The dataset's row schema (draft-07). */
  readonly schema: Record<string, unknown>;
  /** Mapping entries (sourceType/source/destination dialect); none means the identity mapping. */
  readonly mappings?: ReadonlyArray<Record<string, unknown>>;
  readonly scheduleParams: Record<string, unknown>;
  readonly options?: Record<string, unknown>;
  readonly name?: string;
}

export interface Workflow {
  readonly baseConnectionId: string | undefined;
  readonly sourceConnectionId: string;
  readonly datasetId: string;
  readonly targetConnectionId: string;
  readonly mappingId: string | undefined;
  /** The flow body that was (or would be) posted. */
  readonly flowBody: Record<string, unknown>;
}

/** Everything up to the flow, which `createFlow` posts (tests also post variants of the body). */
export async function prepareWorkflow(api: FlowApi, options: WorkflowOptions): Promise<Workflow> {
  const connectionSpec = { id: options.connectionSpecId, version: "1.0" };
  let baseConnectionId: string | undefined;
  if (options.auth) {
    const base = await api.ok("POST", "/connections", { name: "test base", connectionSpec, auth: options.auth });
    baseConnectionId = base.body.id;
  }
  const source = await api.ok("POST", "/sourceConnections", {
    name: "test source",
    ...(baseConnectionId ? { baseConnectionId } : {}),
    connectionSpec,
    data: { format: "json" },
    params: options.sourceParams ?? {},
  });
  const dataset = await api.ok("POST", "/data/foundation/catalog/dataSets", {
    name: "test dataset",
    schema: options.schema,
  });
  const datasetId = String(dataset.body[0]).replace("@/dataSets/", "");
  const target = await api.ok("POST", "/targetConnections", {
    name: "test target",
    connectionSpec: { id: dataLakeSpecId, version: "1.0" },
    data: { format: "parquet_xdm" },
    params: { dataSetId: datasetId },
  });
  let mappingId: string | undefined;
  if (options.mappings) {
    const mapping = await api.ok("POST", "/data/foundation/conversion/mappingSets", {
      dataSetId: datasetId,
      mappings: options.mappings,
    });
    mappingId = mapping.body.id;
  }
  return {
    baseConnectionId,
    sourceConnectionId: source.body.id,
    datasetId,
    targetConnectionId: target.body.id,
    mappingId,
    flowBody: {
      name: options.name ?? "test flow",
      flowSpec: { id: restStorageToAepFlowSpecId, version: "1.0" },
      sourceConnectionIds: [source.body.id],
      targetConnectionIds: [target.body.id],
      ...(mappingId ? { transformations: [{ name: "Mapping", params: { mappingId, mappingVersion: 0 } }] } : {}),
      scheduleParams: options.scheduleParams,
      ...(options.options ? { options: options.options } : {}),
    },
  };
}

export async function createFlow(api: FlowApi, workflow: Workflow): Promise<string> {
  const reply = await api.ok("POST", "/flows", workflow.flowBody);
  return reply.body.id as string;
}

export const terminal = (run: { state: string }) => run.state === "success" || run.state === "failed";

/** Polls the flow's runs until at least `count` exist and all of them have finished. */
// biome-ignore lint/suspicious/noExplicitAny: runs are inspected freely
export async function waitForRuns(api: FlowApi, flowId: string, count: number, timeoutMs = 20_000): Promise<any[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await api.ok("GET", `/runs?property=flowId==${flowId}&orderby=createdAt`);
    const runs = reply.body.items as Array<{ state: string }>;
    if (runs.length >= count && runs.every(terminal)) return runs;
    if (Date.now() > deadline) {
      throw new Error(
        `Flow ${flowId}: expected ${count} finished runs, have ${JSON.stringify(runs.map((r) => r.state))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs ordered by window start (creation order can tie within a millisecond). */
// biome-ignore lint/suspicious/noExplicitAny: runs are inspected freely
export function byWindow(runs: any[]): any[] {
  return [...runs].sort((a, b) => a.execution.window.start - b.execution.window.start);
}

export async function query(dataDir: string, sql: string): Promise<ReadonlyArray<Record<string, unknown>>> {
  return (await runDatasetQuery(dataDir, sql)).rows;
}

export async function rowCount(dataDir: string, datasetId: string): Promise<number> {
  const rows = await query(dataDir, `SELECT count(*) AS n FROM ds_${datasetId}`);
  return Number(rows[0]?.n);
}

// biome-ignore lint/suspicious/noExplicitAny: runs are inspected freely
export function expectSuccess(run: any, records: number): void {
  expect(run.metrics.statusSummary, JSON.stringify(run.metrics.statusSummary)).toMatchObject({ status: "success" });
  expect(run.metrics.recordSummary).toMatchObject({
    inputRecordCount: records,
    outputRecordCount: records,
    failedRecordCount: 0,
  });
}
