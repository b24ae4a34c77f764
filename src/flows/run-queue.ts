/**
 * Where runs come from and how a process claims one. The embedded runner depends on the
 * `RunQueue` interface only; `StoreRunQueue` implements it over the MetadataStore with
 * compare-and-set writes, so two processes never run the same window. (A job-queue implementation,
 * e.g. graphile-worker, can replace it without touching the runner or the executor.)
 *
 * Per flow, `claimDue` walks a small state machine on the flow's cursor (flow-cursor.ts), one CAS
 * step at a time, every step idempotent so a crash between any two leaves a state the next pass
 * completes:
 *   1. no active run: take the first queued on-demand run, else the next due window (advancing the
 *      cursor), as the cursor's `active` entry;
 *   2. active entry without a run row: create the run (`pending`, with the id and batch id fixed in the entry);
 *   3. pending run: claim it (`inProgress`, owner = this process, heartbeat now, attempt + 1);
 *   4. inProgress run whose owner is gone: take it over the same way (its window is read again and
 *      its batch, same id, replaced);
 *   5. finished run: clear `active` and record `lastRun`, then go on with 1.
 */
import { randomUUID } from "node:crypto";
import { newBatchId } from "../datasets/catalog.ts";
import { FlowError } from "../errors.ts";
import type { JsonObject, MetadataStore, Scope, StoredResource } from "../store/metadata-store.ts";
import {
  deleteCursor,
  type FlowCursor,
  getCursor,
  type LastRunDetails,
  listCursors,
  type RunEntry,
  replaceCursor,
  type StoredCursor,
  scopeOfCursor,
  updateCursor,
} from "./flow-cursor.ts";
import { emptyFigures, executionOf, newRunDoc, type RunExecution, runStateOf } from "./run-doc.ts";
import { type RunFigures, runErrorCodes, runMetrics } from "./run-metrics.ts";
import { dueWindow, nextRunAt, toSchedule } from "./schedule.ts";
import { assertRunTransition, isTerminal, type RunState } from "./states.ts";

export interface RunOwner {
  /** Unique per process start. */
  readonly id: string;
  /** When this process started (epoch ms, the runner's clock). */
  readonly startedAt: number;
}

/** A run this process holds. `etag` follows the run row through heartbeats. */
export interface RunClaim {
  readonly scope: Scope;
  readonly flow: StoredResource;
  readonly runId: string;
  readonly execution: RunExecution;
  etag: string;
  doc: JsonObject;
}

/** A flow's unfinished active run, as a scheduling pass finds it. */
export interface ActiveRun {
  readonly scope: Scope;
  readonly flow: StoredResource;
  readonly run: StoredResource;
  readonly state: RunState;
}

/** The owner a scheduling pass (which claims nothing) judges others' runs against. */
const nobody: RunOwner = { id: "", startedAt: 0 };

export interface FinishedRun {
  readonly state: "success" | "failed";
  readonly figures: RunFigures;
}

export interface RunQueue {
  /** Creates runs for due windows and queued requests, and claims at most `limit` of them for `owner`. */
  claimDue(owner: RunOwner, limit: number): Promise<RunClaim[]>;
  /** Records that the owner is alive (and the progress so far). False when the claim was lost. */
  heartbeat(claim: RunClaim, progress: RunFigures | undefined): Promise<boolean>;
  /** Ends the run and frees its flow for the next one. False when the claim was lost. */
  finish(claim: RunClaim, result: FinishedRun): Promise<boolean>;
  /** Gives the run back unfinished (the process is stopping): `pending` again, for any process. */
  release(claim: RunClaim): Promise<void>;
}

export interface StoreRunQueueOptions {
  readonly store: MetadataStore;
  readonly now: () => number;
  /** An owner silent for longer than this is considered gone. */
  readonly staleAfterMs: number;
  /**
   * Single-process mode (the embedded runner): a run whose last heartbeat is older than this
   * process's start belongs to a process that died, so it is taken over at once.
   */
  readonly recoverOnStart: boolean;
  /** A cursor whose flow is missing for this long (a create that failed half-way) is removed. */
  readonly orphanGraceMs?: number;
  readonly log?: RunLog;
}

export interface RunLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

const maxStepsPerFlow = 8;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isStale(error: unknown): boolean {
  return error instanceof FlowError && (error.kind === "versionMismatch" || error.kind === "notFound");
}

export function lastRunDetails(run: StoredResource): LastRunDetails | null {
  const state = runStateOf(run);
  if (state !== "success" && state !== "failed") return null;
  const execution = executionOf(run);
  return {
    id: run.id,
    state,
    ...(execution.startedAt === null ? {} : { startedAtUTC: execution.startedAt }),
    ...(execution.completedAt === null ? {} : { completedAtUTC: execution.completedAt }),
  };
}

/** Creates a run row, tolerating another process having created the same one first. */
async function createRun(store: MetadataStore, scope: Scope, flow: StoredResource, entry: RunEntry): Promise<void> {
  try {
    await store.createResource({
      kind: "runs",
      scope,
      id: entry.runId,
      doc: newRunDoc(flow, entry),
      parentId: flow.id,
    });
  } catch (error) {
    if (!(await store.getResource("runs", scope, entry.runId))) throw error;
  }
}

/** A run that will never start (its flow was deleted): pending → failed, with the reason. */
export async function cancelRun(
  store: MetadataStore,
  scope: Scope,
  run: StoredResource,
  message: string,
  now: number,
): Promise<boolean> {
  if (runStateOf(run) !== "pending") return false;
  assertRunTransition("pending", "failed");
  const execution = { ...executionOf(run), completedAt: now };
  const figures: RunFigures = {
    ...emptyFigures({}, execution, "failed"),
    ...connectionIdsOfRun(run),
    completedAt: now,
    errors: [{ code: runErrorCodes.cancelled, message }],
  };
  try {
    await store.updateResource({
      kind: "runs",
      scope,
      id: run.id,
      expectedEtag: run.etag,
      doc: { ...run.doc, state: "failed", execution, ...runMetrics(figures) },
    });
    return true;
  } catch (error) {
    if (isStale(error)) return false;
    throw error;
  }
}

/** The connection ids a run's activities already name (a pending run has them from creation). */
function connectionIdsOfRun(run: StoredResource): Pick<RunFigures, "sourceConnectionId" | "targetConnectionId"> {
  const activities = Array.isArray(run.doc.activities) ? run.doc.activities.filter(isObject) : [];
  const copy = activities.find((a) => a.id === "copyActivity");
  const promotion = activities.find((a) => a.id === "promotionActivity");
  const firstId = (list: unknown) =>
    Array.isArray(list) && isObject(list[0]) && typeof list[0].id === "string" ? list[0].id : "";
  return { sourceConnectionId: firstId(copy?.sourceInfo), targetConnectionId: firstId(promotion?.targetInfo) };
}

export class StoreRunQueue implements RunQueue {
  readonly #store: MetadataStore;
  readonly #now: () => number;
  readonly #options: StoreRunQueueOptions;
  #offset = 0;

  constructor(options: StoreRunQueueOptions) {
    this.#store = options.store;
    this.#now = options.now;
    this.#options = options;
  }

  async claimDue(owner: RunOwner, limit: number): Promise<RunClaim[]> {
    if (limit <= 0) return [];
    const cursors = await listCursors(this.#store);
    if (cursors.length === 0) return [];
    // Start one further each time, so flows catching up on many windows do not starve the others.
    const start = this.#offset++ % cursors.length;
    const ordered = [...cursors.slice(start), ...cursors.slice(0, start)];
    const claims: RunClaim[] = [];
    for (const stored of ordered) {
      if (claims.length >= limit) break;
      try {
        const found = await this.#advance(stored, owner);
        const claim = found && (await this.#claim(found.scope, found.flow, found.run, found.state, owner));
        if (claim) claims.push(claim);
      } catch (error) {
        this.#options.log?.error(
          { flowId: stored.cursor.flowId, err: errorText(error) },
          "could not advance the flow's runs",
        );
      }
    }
    return claims;
  }

  async heartbeat(claim: RunClaim, progress: RunFigures | undefined): Promise<boolean> {
    const execution = {
      ...executionOf(claim),
      heartbeatAt: this.#now(),
      ...(progress?.checkpoint ? { checkpoint: progress.checkpoint } : {}),
    };
    const doc = { ...claim.doc, execution, ...(progress ? runMetrics(progress) : {}) };
    return this.#writeRun(claim, doc);
  }

  async finish(claim: RunClaim, result: FinishedRun): Promise<boolean> {
    assertRunTransition("inProgress", result.state);
    const now = this.#now();
    const execution = {
      ...executionOf(claim),
      heartbeatAt: now,
      completedAt: result.figures.completedAt ?? now,
    };
    const doc = { ...claim.doc, state: result.state, execution, ...runMetrics(result.figures) };
    if (!(await this.#writeRun(claim, doc))) return false;
    const details: LastRunDetails = {
      id: claim.runId,
      state: result.state,
      ...(execution.startedAt === null ? {} : { startedAtUTC: execution.startedAt }),
      completedAtUTC: execution.completedAt,
    };
    await updateCursor(this.#store, claim.flow.id, (cursor) =>
      cursor.active?.runId === claim.runId ? { ...cursor, active: null, lastRun: details } : undefined,
    );
    return true;
  }

  async release(claim: RunClaim): Promise<void> {
    assertRunTransition("inProgress", "pending");
    const execution = { ...executionOf(claim), owner: null, heartbeatAt: null };
    const figures = emptyFigures(claim.flow.doc, execution, "pending");
    await this.#writeRun(claim, { ...claim.doc, state: "pending", execution, ...runMetrics(figures) });
  }

  /**
   * The fleet's scheduling pass (its leader): advances every flow as claimDue does (due windows and
   * queued requests become pending runs, finished runs free their flow, deleted flows' runs are
   * cancelled) but claims nothing, and answers each flow's unfinished active run, for the caller to
   * hand to a worker, and when the next idle flow has work due. Workers then claim with `claimRun`.
   */
  async advanceAll(): Promise<{ readonly active: ActiveRun[]; readonly nextDueAt: number | undefined }> {
    const active: ActiveRun[] = [];
    let nextDueAt: number | undefined;
    const onIdle = (at: number | undefined) => {
      if (at !== undefined && (nextDueAt === undefined || at < nextDueAt)) nextDueAt = at;
    };
    for (const stored of await listCursors(this.#store)) {
      try {
        const found = await this.#advance(stored, undefined, onIdle);
        if (found) active.push(found);
      } catch (error) {
        this.#options.log?.error(
          { flowId: stored.cursor.flowId, err: errorText(error) },
          "could not advance the flow's runs",
        );
      }
    }
    return { active, nextDueAt };
  }

  /** When an idle flow has work next: its first queued request's start, else its next window's end. */
  #nextDueAt(cursor: FlowCursor, flow: StoredResource): number | undefined {
    if (flow.doc.state !== "enabled") return undefined;
    const queued = cursor.queue[0];
    if (queued !== undefined) return queued.notBefore;
    if (!isObject(flow.doc.scheduleParams)) return undefined;
    return nextRunAt(toSchedule(flow.doc.scheduleParams), cursor.cursor);
  }

  /**
   * A worker claims one run it was handed: a pending run, or an inProgress one whose owner is gone
   * (`ownerGone` decides, e.g. from the fleet's worker heartbeats) or is this owner already. A
   * finished run, or one whose flow was deleted (it is cancelled), answers "finished"; a run another
   * live owner holds answers "busy"; a run that does not exist answers "missing".
   */
  async claimRun(
    scope: Scope,
    runId: string,
    owner: RunOwner,
    ownerGone: (execution: RunExecution) => boolean | Promise<boolean>,
  ): Promise<
    { readonly kind: "claimed"; readonly claim: RunClaim } | { readonly kind: "finished" | "busy" | "missing" }
  > {
    const run = await this.#store.getResource("runs", scope, runId);
    if (!run) return { kind: "missing" };
    const state = runStateOf(run);
    if (isTerminal(state)) return { kind: "finished" };
    const execution = executionOf(run);
    const gone = state === "pending" || execution.owner === owner.id || (await ownerGone(execution));
    const flowId = typeof run.doc.flowId === "string" ? run.doc.flowId : (run.parentId ?? "");
    const flow = await this.#store.getResource("flows", scope, flowId);
    if (!flow) {
      if (state === "pending")
        await cancelRun(this.#store, scope, run, "The flow was deleted before the run started.", this.#now());
      else if (gone) await this.#failOrphanedRun(scope, run);
      else return { kind: "busy" };
      return { kind: "finished" };
    }
    if (!gone) return { kind: "busy" };
    const claim = await this.#claim(scope, flow, run, state, owner);
    return claim ? { kind: "claimed", claim } : { kind: "busy" };
  }

  async #writeRun(claim: RunClaim, doc: JsonObject): Promise<boolean> {
    try {
      const updated = await this.#store.updateResource({
        kind: "runs",
        scope: claim.scope,
        id: claim.runId,
        doc,
        expectedEtag: claim.etag,
      });
      claim.etag = updated.etag;
      claim.doc = updated.doc;
      return true;
    } catch (error) {
      if (isStale(error)) return false;
      throw error;
    }
  }

  #ownerGone(execution: RunExecution, owner: RunOwner, now: number): boolean {
    if (execution.owner === owner.id) return false;
    if (execution.owner === null || execution.heartbeatAt === null) return true;
    if (execution.heartbeatAt < now - this.#options.staleAfterMs) return true;
    return this.#options.recoverOnStart && execution.heartbeatAt < owner.startedAt;
  }

  async #claim(
    scope: Scope,
    flow: StoredResource,
    run: StoredResource,
    from: RunState,
    owner: RunOwner,
  ): Promise<RunClaim | undefined> {
    assertRunTransition(from, "inProgress");
    const now = this.#now();
    const previous = executionOf(run);
    const execution: RunExecution = {
      ...previous,
      attempt: previous.attempt + 1,
      owner: owner.id,
      heartbeatAt: now,
      startedAt: previous.startedAt ?? now,
      completedAt: null,
    };
    const figures = emptyFigures(flow.doc, execution, "inProgress");
    const providerRefId =
      typeof run.doc.providerRefId === "string"
        ? run.doc.providerRefId.replace(/-\d+:/, `-${execution.attempt - 1}:`)
        : undefined;
    const doc = {
      ...run.doc,
      state: "inProgress",
      execution,
      ...(providerRefId ? { providerRefId } : {}),
      ...runMetrics(figures),
    };
    try {
      const updated = await this.#store.updateResource({
        kind: "runs",
        scope,
        id: run.id,
        doc,
        expectedEtag: run.etag,
      });
      if (from === "inProgress") {
        this.#options.log?.warn(
          { flowId: flow.id, runId: run.id, previousOwner: previous.owner, attempt: execution.attempt },
          "took over a run whose process is gone; it resumes from its batch's checkpoint, if any, else reads its window again",
        );
      }
      return { scope, flow, runId: run.id, execution, etag: updated.etag, doc: updated.doc };
    } catch (error) {
      if (isStale(error)) return undefined;
      throw error;
    }
  }

  /**
   * Moves one flow as far as it can go now; its unfinished active run when `owner` may claim it
   * (or, without an owner, whatever its state: the fleet's scheduler hands it to a worker).
   */
  async #advance(
    initial: StoredCursor,
    owner: RunOwner | undefined,
    onIdle?: (nextDueAt: number | undefined) => void,
  ): Promise<ActiveRun | undefined> {
    let stored: StoredCursor | undefined = initial;
    for (let step = 0; step < maxStepsPerFlow && stored !== undefined; step++) {
      const cursor: FlowCursor = stored.cursor;
      const scope = scopeOfCursor(cursor);
      const flow = await this.#store.getResource("flows", scope, cursor.flowId);
      if (cursor.active === null) {
        if (!flow) {
          await this.#dropOrphan(stored);
          return undefined;
        }
        const entry = this.#nextEntry(cursor, flow);
        if (entry === undefined) {
          onIdle?.(this.#nextDueAt(cursor, flow));
          return undefined;
        }
        const fromQueue = cursor.queue[0]?.runId === entry.runId;
        const next: FlowCursor = {
          ...cursor,
          active: entry,
          queue: fromQueue ? cursor.queue.slice(1) : cursor.queue,
          cursor: entry.trigger === "schedule" ? entry.window.end : cursor.cursor,
        };
        stored = (await replaceCursor(this.#store, stored, next)) ?? (await getCursor(this.#store, cursor.flowId));
        continue;
      }
      const active = cursor.active;
      const run = await this.#store.getResource("runs", scope, active.runId);
      if (!run) {
        if (!flow) {
          stored =
            (await replaceCursor(this.#store, stored, { ...cursor, active: null })) ??
            (await getCursor(this.#store, cursor.flowId));
          continue;
        }
        await createRun(this.#store, scope, flow, active);
        continue;
      }
      const state = runStateOf(run);
      if (isTerminal(state)) {
        const next = { ...cursor, active: null, lastRun: lastRunDetails(run) ?? cursor.lastRun };
        stored = (await replaceCursor(this.#store, stored, next)) ?? (await getCursor(this.#store, cursor.flowId));
        continue;
      }
      if (!flow) {
        if (state === "pending")
          await cancelRun(this.#store, scope, run, "The flow was deleted before the run started.", this.#now());
        else if (state === "inProgress" && this.#ownerGone(executionOf(run), owner ?? nobody, this.#now())) {
          await this.#failOrphanedRun(scope, run);
        } else return undefined;
        continue;
      }
      if (owner === undefined || state === "pending") return { scope, flow, run, state };
      if (state === "inProgress" && this.#ownerGone(executionOf(run), owner, this.#now())) {
        return { scope, flow, run, state };
      }
      return undefined;
    }
    return undefined;
  }

  /** The next run for a flow without an active one: a queued request first, else a due window. */
  #nextEntry(cursor: FlowCursor, flow: StoredResource): RunEntry | undefined {
    if (flow.doc.state !== "enabled") return undefined;
    const now = this.#now();
    const queued = cursor.queue[0];
    if (queued !== undefined) return queued.notBefore === undefined || queued.notBefore <= now ? queued : undefined;
    if (!isObject(flow.doc.scheduleParams)) return undefined;
    const window = dueWindow(toSchedule(flow.doc.scheduleParams), cursor.cursor, now);
    if (window === undefined) return undefined;
    return { runId: randomUUID(), batchId: newBatchId(now), window, trigger: "schedule" };
  }

  async #dropOrphan(stored: StoredCursor): Promise<void> {
    const grace = this.#options.orphanGraceMs ?? 60_000;
    if (stored.cursor.queue.length > 0 || this.#now() - stored.createdAt < grace) return;
    await deleteCursor(this.#store, stored.cursor.flowId);
  }

  /** A deleted flow's run whose process died: nobody can finish it, so it fails. */
  async #failOrphanedRun(scope: Scope, run: StoredResource): Promise<void> {
    const now = this.#now();
    const execution = { ...executionOf(run), owner: null, completedAt: now };
    const figures: RunFigures = {
      ...emptyFigures({}, execution, "failed"),
      ...connectionIdsOfRun(run),
      completedAt: now,
      errors: [{ code: runErrorCodes.cancelled, message: "The flow was deleted while its run was interrupted." }],
    };
    try {
      await this.#store.updateResource({
        kind: "runs",
        scope,
        id: run.id,
        expectedEtag: run.etag,
        doc: { ...run.doc, state: "failed", execution, ...runMetrics(figures) },
      });
    } catch (error) {
      if (!isStale(error)) throw error;
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
