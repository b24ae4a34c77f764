/**
 * The end-to-end workflow of spec §7, over HTTP: register the connection spec and its flow-spec
 * entry, then base connection → explore → source connection → dataset (schema from the preview) →
 * target connection → identity mapping → a `once` flow → wait for its run → check it → delete
 * what was created (unless `keep`). Each step is timed and reported; the first failure stops the
 * workflow and the clean-up still runs.
 */
import { appendToFlowSpec, FlowServiceError, upsertConnectionSpec } from "../artifacts/index.ts";
import { withoutServerFields } from "../specs/index.ts";
import { ApiError, type JsonObject, type PlatformClient, TransportError } from "./client.ts";
import { planRowSchema } from "./dataset-schema.ts";

export const restStorageFlowSpecId = "6499120c-0b15-42dc-936e-847ea3c24d72";
export const dataLakeConnectionSpecId = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";

export type StepStatus = "ok" | "failed" | "skipped" | "kept";

export interface StepResult {
  readonly name: string;
  readonly status: StepStatus;
  readonly ms: number;
  /** One line: what was created or observed, or why it failed. */
  readonly detail: string;
}

export interface RunOutcome {
  readonly id: string;
  readonly status: string;
  readonly recordsRead: number | undefined;
  readonly recordsWritten: number | undefined;
  readonly recordsFailed: number | undefined;
  readonly stopReason: string | undefined;
  readonly batchIds: readonly string[];
  readonly errors: readonly string[];
  readonly durationMs: number | undefined;
}

export interface CreatedResources {
  connectionSpecId?: string;
  baseConnectionId?: string;
  sourceConnectionId?: string;
  datasetId?: string;
  targetConnectionId?: string;
  mappingSetId?: string;
  flowId?: string;
}

export interface VerifyResult {
  readonly passed: boolean;
  /** The server refused the token, api key or org (or their permissions) at some step. */
  readonly credentialsRefused: boolean;
  readonly steps: readonly StepResult[];
  readonly created: Readonly<CreatedResources>;
  readonly run: RunOutcome | undefined;
  readonly kept: boolean;
}

export type VerifyEvent =
  | { readonly type: "step-start"; readonly name: string; readonly index: number; readonly total: number }
  | { readonly type: "step-end"; readonly step: StepResult; readonly index: number; readonly total: number }
  | {
      readonly type: "run-poll";
      readonly status: string;
      readonly records: number | undefined;
      readonly elapsedMs: number;
    };

export interface VerifyOptions {
  readonly client: PlatformClient;
  /** The connection spec document (with or without `id`). */
  readonly spec: JsonObject;
  readonly authSpecName: string;
  readonly auth: JsonObject;
  readonly params: JsonObject;
  readonly keep?: boolean;
  /** How long to wait for the run to end. Default 300 s. */
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
  /** Prefix of the names of created resources. */
  readonly namePrefix?: string;
  readonly onEvent?: (event: VerifyEvent) => void;
  readonly now?: () => Date;
}

const workflowSteps = [
  "connection spec",
  "flow spec entry",
  "base connection",
  "explore",
  "source connection",
  "dataset",
  "target connection",
  "mapping set",
  "flow",
  "run",
  "check",
] as const;

const cleanupSteps = [
  "delete flow",
  "delete target connection",
  "delete source connection",
  "delete base connection",
  "delete mapping set",
  "delete dataset",
] as const;

const totalSteps = workflowSteps.length + cleanupSteps.length;

/** A step's failure, with the line the report shows. */
class StepFailure extends Error {
  override readonly name = "StepFailure";
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describe(error: unknown): string {
  if (error instanceof ApiError || error instanceof TransportError || error instanceof StepFailure)
    return error.message;
  if (error instanceof FlowServiceError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Token, api key, org or permissions refused, from either client. */
function refusesCredentials(error: unknown): boolean {
  if (error instanceof ApiError) return error.credentialsRefused;
  if (error instanceof FlowServiceError)
    return error.kind === "auth" || /FLOW-(1426|1427|2000|2001|2002|2110|2111|2118|2120|2121)-/.test(error.message);
  return false;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Finds every value of `key` anywhere in a document (runs keep details in activities). */
function collect(node: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) for (const item of node) collect(item, key, out);
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) out.push(v);
      collect(v, key, out);
    }
  }
  return out;
}

function num(value: unknown): number | undefined {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

export function runStatus(run: JsonObject): string {
  const metrics = isObject(run.metrics) ? run.metrics : {};
  const summary = isObject(metrics.statusSummary) ? metrics.statusSummary : {};
  if (typeof summary.status === "string") return summary.status;
  return typeof run.state === "string" ? run.state : typeof run.status === "string" ? run.status : "unknown";
}

/** Batch ids from `targetInfo[].reference{type:"Batch", ids}` in the run's activities (spec §1.9). */
function batchIdsOf(run: JsonObject): string[] {
  const ids = new Set<string>();
  for (const info of collect(run, "targetInfo")) {
    for (const target of Array.isArray(info) ? info : [info]) {
      const reference = isObject(target) && isObject(target.reference) ? target.reference : undefined;
      if (reference && Array.isArray(reference.ids))
        for (const id of reference.ids) if (typeof id === "string") ids.add(id);
    }
  }
  return [...ids];
}

export function runOutcome(run: JsonObject): RunOutcome {
  const metrics = isObject(run.metrics) ? run.metrics : {};
  const records = isObject(metrics.recordSummary) ? metrics.recordSummary : {};
  const duration = isObject(metrics.durationSummary) ? metrics.durationSummary : {};
  const statusSummary = isObject(metrics.statusSummary) ? metrics.statusSummary : {};
  const started = num(duration.startedAtUTC);
  const completed = num(duration.completedAtUTC);
  const errors = (Array.isArray(statusSummary.errors) ? statusSummary.errors : [])
    .filter(isObject)
    .map(
      (e) =>
        `${typeof e.code === "string" ? `${e.code}: ` : ""}${typeof e.message === "string" ? e.message : JSON.stringify(e)}`,
    );
  const stopReason = collect(run, "stopReason").find((v): v is string => typeof v === "string");
  return {
    id: typeof run.id === "string" ? run.id : "?",
    status: runStatus(run),
    recordsRead: num(records.inputRecordCount),
    recordsWritten: num(records.outputRecordCount),
    recordsFailed: num(records.failedRecordCount),
    stopReason,
    batchIds: batchIdsOf(run),
    errors,
    durationMs:
      started !== undefined && completed !== undefined && completed >= started ? completed - started : undefined,
  };
}

const terminal = new Set(["success", "failed", "cancelled", "canceled", "partialsuccess"]);

export async function runVerify(options: VerifyOptions): Promise<VerifyResult> {
  const { client, onEvent } = options;
  const now = options.now ?? (() => new Date());
  const steps: StepResult[] = [];
  const created: CreatedResources = {};
  const stamp = now()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const specName = typeof options.spec.name === "string" ? options.spec.name : "source";
  const name = (what: string) => `${options.namePrefix ?? "inlet-verify"} ${specName} ${what} ${stamp}`;
  let credentialsRefused = false;
  let failed = false;
  let run: RunOutcome | undefined;

  const record = (step: StepResult) => {
    steps.push(step);
    onEvent?.({ type: "step-end", step, index: steps.length, total: totalSteps });
  };

  /** Runs one step; a throw marks it failed and stops the workflow. */
  const step = async (stepName: string, work: () => Promise<string>): Promise<boolean> => {
    if (failed) {
      record({ name: stepName, status: "skipped", ms: 0, detail: "an earlier step failed" });
      return false;
    }
    onEvent?.({ type: "step-start", name: stepName, index: steps.length + 1, total: totalSteps });
    const t0 = performance.now();
    try {
      const detail = await work();
      record({ name: stepName, status: "ok", ms: Math.round(performance.now() - t0), detail });
      return true;
    } catch (error) {
      if (refusesCredentials(error)) credentialsRefused = true;
      failed = true;
      record({ name: stepName, status: "failed", ms: Math.round(performance.now() - t0), detail: describe(error) });
      return false;
    }
  };

  let spec = options.spec;
  let registrationClient: ReturnType<PlatformClient["registrationClient"]> | undefined;
  const registration = () => {
    registrationClient ??= client.registrationClient();
    return registrationClient;
  };
  let explore: JsonObject = {};
  let schemaRef: { id: string; version: string } | undefined;
  let fields: readonly string[] = [];
  let mappingVersion = 0;

  await step("connection spec", async () => {
    const givenId = typeof spec.id === "string" && spec.id !== "" ? spec.id : undefined;
    if (givenId !== undefined) {
      // Shared with `inlet artifacts register`: POST when absent, PUT (If-Match) when different.
      const outcome = await upsertConnectionSpec(registration(), givenId, spec);
      created.connectionSpecId = givenId;
      return `${givenId} ${outcome}${outcome === "created" ? " (POST)" : outcome === "updated" ? " (PUT)" : ""}`;
    }
    spec = await client.createConnectionSpec(withoutServerFields(spec));
    if (typeof spec.id !== "string") throw new StepFailure("POST /connectionSpecs answered no id");
    created.connectionSpecId = spec.id;
    return `${spec.id} created (POST; the file has no id, so a second run creates another spec)`;
  });
  const specId = () => created.connectionSpecId as string;

  await step("flow spec entry", async () => {
    const appended = await appendToFlowSpec(registration(), [specId()], restStorageFlowSpecId);
    return appended.size > 0
      ? `appended ${specId()} to RestStorageToAEP.sourceConnectionSpecIds (PUT, If-Match)`
      : `RestStorageToAEP lists ${specId()} already`;
  });

  await step("base connection", async () => {
    const { id } = await client.create("connections", {
      name: name("account"),
      connectionSpec: { id: specId(), version: "1.0" },
      auth: { specName: options.authSpecName, params: options.auth },
    });
    created.baseConnectionId = id;
    return `created ${id}`;
  });

  await step("explore", async () => {
    explore = await client.explore(created.baseConnectionId as string, options.params);
    const data = Array.isArray(explore.data) ? explore.data : [];
    if (data.length === 0)
      throw new StepFailure("explore answered no data: the preview must return at least one record");
    const plan = planRowSchema(explore);
    if (plan.fields.length === 0) throw new StepFailure("the previewed records have no top-level fields to map");
    return `${data.length} record(s) previewed, ${plan.fields.length} top-level field(s): ${plan.fields.join(", ")}`;
  });

  await step("source connection", async () => {
    const { id } = await client.create("sourceConnections", {
      name: name("source"),
      baseConnectionId: created.baseConnectionId,
      connectionSpec: { id: specId(), version: "1.0" },
      data: { format: "json" },
      params: options.params,
    });
    created.sourceConnectionId = id;
    return `created ${id}`;
  });

  await step("dataset", async () => {
    const plan = planRowSchema(explore);
    fields = plan.fields;
    const id = await client.createDataset({ name: name("dataset"), schema: plan.schema });
    created.datasetId = id;
    const dataset = await client.getDataset(id);
    const ref = isObject(dataset?.schemaRef) ? dataset.schemaRef : undefined;
    if (!ref || typeof ref.id !== "string") throw new StepFailure(`dataset ${id} has no schemaRef.id`);
    schemaRef = { id: ref.id, version: typeof ref.contentType === "string" ? ref.contentType : "1.0" };
    const skipped =
      plan.skipped.length > 0 ? `; fields a mapping cannot name, left out: ${plan.skipped.join(", ")}` : "";
    return `created ${id} with ${fields.length} column(s), schema ${schemaRef.id}${skipped}`;
  });

  await step("target connection", async () => {
    const { id } = await client.create("targetConnections", {
      name: name("target"),
      connectionSpec: { id: dataLakeConnectionSpecId, version: "1.0" },
      data: { format: "parquet_xdm", schema: schemaRef },
      params: { dataSetId: created.datasetId },
    });
    created.targetConnectionId = id;
    return `created ${id} → dataset ${created.datasetId}`;
  });

  await step("mapping set", async () => {
    const mapping = await client.createMappingSet({
      version: 0,
      xdmSchema: schemaRef?.id,
      xdmVersion: "1.0",
      mappings: fields.map((field) => ({ sourceType: "ATTRIBUTE", source: field, destination: field })),
    });
    created.mappingSetId = mapping.id;
    mappingVersion = mapping.version;
    return `created ${mapping.id} (version ${mapping.version}), ${fields.length} identity mapping(s)`;
  });

  await step("flow", async () => {
    const { id } = await client.create("flows", {
      name: name("flow"),
      flowSpec: { id: restStorageFlowSpecId, version: "1.0" },
      sourceConnectionIds: [created.sourceConnectionId],
      targetConnectionIds: [created.targetConnectionId],
      transformations: [{ name: "Mapping", params: { mappingId: created.mappingSetId, mappingVersion } }],
      scheduleParams: { startTime: Math.floor(now().getTime() / 1000), frequency: "once" },
    });
    created.flowId = id;
    return `created ${id} (frequency once)`;
  });

  await step("run", async () => {
    const timeoutMs = options.timeoutMs ?? 300_000;
    const interval = options.pollIntervalMs ?? 1000;
    const t0 = performance.now();
    let last: JsonObject | undefined;
    for (;;) {
      const runs = await client.listRuns(created.flowId as string);
      last = runs.sort((a, b) => (num(b.createdAt) ?? 0) - (num(a.createdAt) ?? 0))[0];
      const elapsedMs = performance.now() - t0;
      const status = last ? runStatus(last) : "not started";
      const records = last ? runOutcome(last).recordsWritten : undefined;
      onEvent?.({ type: "run-poll", status, records, elapsedMs });
      if (last && terminal.has(status.toLowerCase())) break;
      if (elapsedMs >= timeoutMs) {
        if (last) run = runOutcome(last);
        throw new StepFailure(
          `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the run (last status: ${status}); raise --timeout`,
        );
      }
      await sleep(Math.min(interval, Math.max(0, timeoutMs - elapsedMs)));
    }
    run = runOutcome(last as JsonObject);
    const seconds = run.durationMs === undefined ? "" : ` in ${(run.durationMs / 1000).toFixed(1)} s`;
    return `run ${run.id} ended ${run.status}${seconds}`;
  });

  await step("check", async () => {
    const outcome = run as RunOutcome;
    const problems: string[] = [];
    if (outcome.status.toLowerCase() !== "success") problems.push(`status is ${outcome.status}, not success`);
    if ((outcome.recordsWritten ?? 0) <= 0) problems.push("no records were written");
    const errors = outcome.errors.length > 0 ? `; run errors: ${outcome.errors.slice(0, 3).join("; ")}` : "";
    if (problems.length > 0) throw new StepFailure(`${problems.join("; ")}${errors}`);
    const failedNote = outcome.recordsFailed ? `, ${outcome.recordsFailed} failed` : "";
    const batch = outcome.batchIds.length > 0 ? `; batch ${outcome.batchIds.join(", ")}` : "; no batch id reported";
    return `${outcome.recordsWritten} record(s) written${failedNote}${batch}${errors}`;
  });

  const workflowFailed = failed;
  failed = false; // clean-up runs whatever happened above
  const cleanup = async (
    stepName: string,
    id: string | undefined,
    work: (id: string) => Promise<void>,
    optional = false,
  ) => {
    if (id === undefined) {
      record({ name: stepName, status: "skipped", ms: 0, detail: "not created" });
      return;
    }
    if (options.keep) {
      record({ name: stepName, status: "kept", ms: 0, detail: `${id} kept (--keep)` });
      return;
    }
    onEvent?.({ type: "step-start", name: stepName, index: steps.length + 1, total: totalSteps });
    const t0 = performance.now();
    try {
      await work(id);
      record({ name: stepName, status: "ok", ms: Math.round(performance.now() - t0), detail: `deleted ${id}` });
    } catch (error) {
      const ms = Math.round(performance.now() - t0);
      if (optional && error instanceof ApiError && [404, 405, 501].includes(error.status)) {
        record({
          name: stepName,
          status: "skipped",
          ms,
          detail: `${id} left: the server has no DELETE for it (${error.status})`,
        });
        return;
      }
      if (refusesCredentials(error)) credentialsRefused = true;
      failed = true;
      record({ name: stepName, status: "failed", ms, detail: describe(error) });
    }
  };

  await cleanup("delete flow", created.flowId, (id) => client.remove("flows", id));
  await cleanup("delete target connection", created.targetConnectionId, (id) => client.remove("targetConnections", id));
  await cleanup("delete source connection", created.sourceConnectionId, (id) => client.remove("sourceConnections", id));
  await cleanup("delete base connection", created.baseConnectionId, (id) => client.remove("connections", id));
  await cleanup("delete mapping set", created.mappingSetId, (id) => client.deleteMappingSet(id), true);
  await cleanup("delete dataset", created.datasetId, (id) => client.deleteDataset(id));

  return {
    passed: !workflowFailed && !failed,
    credentialsRefused,
    steps,
    created,
    run,
    kept: options.keep === true,
  };
}

export { cleanupSteps, workflowSteps };
