/**
 * A flow's run bookkeeping, kept apart from the flow document so that the runner's writes never
 * change the flow's etag (a client's If-Match stays valid while its flow runs).
 *
 * Stored as a resource of kind "flows" in the global scope with id `cursor-<flowId>`: tenants'
 * lists never see the global scope, the (kind, id) key cannot collide with a flow's UUID, and the
 * runner finds every flow of every org and sandbox with one list. Every change is a compare-and-set
 * on its etag, which is how two processes agree on which of them takes a window.
 *
 * - `cursor`: the end (epoch ms) of the last scheduled window a run was created for. The next
 *   window starts there (schedule.ts). Advanced when the run is created, so a window is attempted
 *   once: a failed run is not retried by the scheduler; the run records its window.
 * - `active`: the run the flow has now (pending or inProgress); at most one, so a flow never has
 *   two runs at once.
 * - `queue`: on-demand runs (POST /runs) waiting for `active` to be free.
 * - `lastRun`: the last finished run, for the flow's `lastRunDetails`.
 */
import { FlowError } from "../errors.ts";
import { globalScope, type MetadataStore, type Scope, type StoredResource } from "../store/metadata-store.ts";
import type { Window } from "./schedule.ts";

export const cursorKind = "flows" as const;
const cursorPrefix = "cursor-";

export type RunTrigger = "schedule" | "onDemand";

/** A run the cursor knows about before (or while) it exists in the store: enough to create it. */
export interface RunEntry {
  readonly runId: string;
  readonly batchId: string;
  readonly window: Window;
  readonly trigger: RunTrigger;
  /** On-demand runs: the request's params, echoed on the run (times in seconds). */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
  /** On-demand runs may ask to start later (params.startTime); epoch ms. */
  readonly notBefore?: number | undefined;
}

export interface LastRunDetails {
  readonly id: string;
  readonly state: "success" | "failed";
  readonly startedAtUTC?: number | undefined;
  readonly completedAtUTC?: number | undefined;
}

export interface FlowCursor {
  readonly flowId: string;
  readonly orgId: string;
  readonly sandboxName: string;
  readonly cursor: number | null;
  readonly active: RunEntry | null;
  readonly queue: readonly RunEntry[];
  readonly lastRun: LastRunDetails | null;
}

export interface StoredCursor {
  readonly cursor: FlowCursor;
  readonly etag: string;
  readonly createdAt: number;
}

export function cursorId(flowId: string): string {
  return `${cursorPrefix}${flowId}`;
}

export function scopeOfCursor(cursor: FlowCursor): Scope {
  return { orgId: cursor.orgId, sandboxName: cursor.sandboxName };
}

function fromResource(resource: StoredResource): StoredCursor | undefined {
  const doc = resource.doc;
  if (!resource.id.startsWith(cursorPrefix) || typeof doc.flowId !== "string") return undefined;
  return {
    etag: resource.etag,
    createdAt: resource.createdAt,
    cursor: {
      flowId: doc.flowId,
      orgId: String(doc.orgId),
      sandboxName: String(doc.sandboxName),
      cursor: typeof doc.cursor === "number" ? doc.cursor : null,
      active: (doc.active as RunEntry | null | undefined) ?? null,
      queue: Array.isArray(doc.queue) ? (doc.queue as RunEntry[]) : [],
      lastRun: (doc.lastRun as LastRunDetails | null | undefined) ?? null,
    },
  };
}

function toDoc(cursor: FlowCursor): Record<string, unknown> {
  return { ...cursor };
}

export function newCursor(scope: Scope, flowId: string): FlowCursor {
  return {
    flowId,
    orgId: scope.orgId,
    sandboxName: scope.sandboxName,
    cursor: null,
    active: null,
    queue: [],
    lastRun: null,
  };
}

export async function createCursor(store: MetadataStore, scope: Scope, flowId: string): Promise<void> {
  await store.createResource({
    kind: cursorKind,
    scope: globalScope,
    id: cursorId(flowId),
    doc: toDoc(newCursor(scope, flowId)),
    parentId: null,
  });
}

export async function getCursor(store: MetadataStore, flowId: string): Promise<StoredCursor | undefined> {
  const resource = await store.getResource(cursorKind, globalScope, cursorId(flowId));
  return resource === undefined ? undefined : fromResource(resource);
}

/** Every flow's cursor, of every org and sandbox. */
export async function listCursors(store: MetadataStore): Promise<StoredCursor[]> {
  const resources = await store.listResources(cursorKind, globalScope);
  return resources.flatMap((resource) => fromResource(resource) ?? []);
}

/** Compare-and-set: undefined when the cursor changed since `etag` was read (another writer won) or is gone. */
export async function replaceCursor(
  store: MetadataStore,
  stored: StoredCursor,
  next: FlowCursor,
): Promise<StoredCursor | undefined> {
  try {
    const resource = await store.updateResource({
      kind: cursorKind,
      scope: globalScope,
      id: cursorId(next.flowId),
      doc: toDoc(next),
      expectedEtag: stored.etag,
    });
    return fromResource(resource);
  } catch (error) {
    if (error instanceof FlowError && (error.kind === "versionMismatch" || error.kind === "notFound")) return undefined;
    throw error;
  }
}

/**
 * Read-modify-write with retries on a concurrent change. `change` returns the new cursor, or
 * undefined to leave it as it is (then the current one is returned). Undefined when the cursor is gone.
 */
export async function updateCursor(
  store: MetadataStore,
  flowId: string,
  change: (cursor: FlowCursor) => FlowCursor | undefined,
): Promise<StoredCursor | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const stored = await getCursor(store, flowId);
    if (stored === undefined) return undefined;
    const next = change(stored.cursor);
    if (next === undefined) return stored;
    const written = await replaceCursor(store, stored, next);
    if (written !== undefined) return written;
  }
  throw new FlowError("unavailable", `The run state of flow ${flowId} keeps changing; try again.`);
}

export async function deleteCursor(store: MetadataStore, flowId: string): Promise<void> {
  await store.deleteResource(cursorKind, globalScope, cursorId(flowId));
}
