/**
 * The stored run document (kind "runs", the flow's scope, parentId = flow id). Adobe's fields
 * (flowId, flowSpec, providerRefId, params, metrics, activities) plus `state` and Inlet's
 * `execution` block: trigger, window, batch id, attempt, owner and heartbeat. The owner/heartbeat
 * pair is what lets a process tell a live run from one whose process died.
 */
import type { StoredResource } from "../store/metadata-store.ts";
import type { RunEntry, RunTrigger } from "./flow-cursor.ts";
import { noRead, type RunCheckpoint, type RunFigures, runMetrics } from "./run-metrics.ts";
import type { Window } from "./schedule.ts";
import { isRunState, type RunState } from "./states.ts";

export interface RunExecution {
  readonly trigger: RunTrigger;
  readonly window: Window;
  readonly batchId: string;
  /** How many times the run was started (a takeover or a restart after release counts). */
  readonly attempt: number;
  /** The process that runs it now; null when nobody does. */
  readonly owner: string | null;
  /** Epoch ms of the owner's last sign of life. */
  readonly heartbeatAt: number | null;
  readonly startedAt: number | null;
  readonly completedAt: number | null;
  /**
   * The last point of the read made durable in the batch's staging (a resumable sink), as the
   * heartbeats report it: a takeover resumes the read there (see execute-run.ts).
   */
  readonly checkpoint?: RunCheckpoint | undefined;
}

export function runStateOf(run: StoredResource): RunState {
  const state = run.doc.state;
  return isRunState(state) ? state : "failed";
}

/** The execution block of a run (a stored resource or its document). */
export function executionOf(run: StoredResource | { readonly doc: Readonly<Record<string, unknown>> }): RunExecution {
  const execution = (run.doc.execution ?? {}) as Partial<RunExecution>;
  return {
    trigger: execution.trigger ?? "schedule",
    window: execution.window ?? { start: 0, end: 0, backfill: false },
    batchId: execution.batchId ?? "",
    attempt: execution.attempt ?? 0,
    owner: execution.owner ?? null,
    heartbeatAt: execution.heartbeatAt ?? null,
    startedAt: execution.startedAt ?? null,
    completedAt: execution.completedAt ?? null,
    ...(execution.checkpoint ? { checkpoint: execution.checkpoint } : {}),
  };
}

export function flowConnectionIds(flowDoc: Readonly<Record<string, unknown>>): { source: string; target: string } {
  const first = (value: unknown) => (Array.isArray(value) && typeof value[0] === "string" ? value[0] : "");
  return { source: first(flowDoc.sourceConnectionIds), target: first(flowDoc.targetConnectionIds) };
}

/** Figures of a run that has not read anything yet. */
export function emptyFigures(
  flowDoc: Readonly<Record<string, unknown>>,
  execution: Pick<RunExecution, "window" | "batchId" | "attempt" | "startedAt">,
  status: RunFigures["status"],
): RunFigures {
  const ids = flowConnectionIds(flowDoc);
  return {
    status,
    window: execution.window,
    attempt: execution.attempt,
    sourceConnectionId: ids.source,
    targetConnectionId: ids.target,
    batchId: execution.batchId,
    committed: false,
    startedAt: execution.startedAt ?? undefined,
    readEndedAt: undefined,
    completedAt: undefined,
    read: noRead,
    written: 0,
    mappingFailures: 0,
    schemaFailures: 0,
    outputBytes: 0,
    outputFiles: 0,
    errors: [],
    samples: [],
  };
}

/** A new run for an entry of the flow's cursor, `pending`. */
export function newRunDoc(flow: StoredResource, entry: RunEntry): Record<string, unknown> {
  const execution: RunExecution = {
    trigger: entry.trigger,
    window: entry.window,
    batchId: entry.batchId,
    attempt: 0,
    owner: null,
    heartbeatAt: null,
    startedAt: null,
    completedAt: null,
  };
  const phase = entry.window.backfill ? "backfill" : entry.trigger === "onDemand" ? "ondemand" : "incremental";
  return {
    flowId: flow.id,
    flowSpec: flow.doc.flowSpec,
    providerRefId: `M-${flow.id}-${phase}-0:${entry.runId}`,
    ...(entry.params === undefined ? {} : { params: entry.params }),
    state: "pending",
    execution,
    ...runMetrics(emptyFigures(flow.doc, execution, "pending")),
    createdBy: "inlet@Runner",
    updatedBy: "inlet@Runner",
    createdClient: "inlet",
    updatedClient: "inlet",
  };
}
