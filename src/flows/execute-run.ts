/**
 * Runs one claimed window: connection context → engine → mapping → dataset sink → metrics.
 * Knows nothing of HTTP serving or scheduling; the runner hands it a claim and an AbortSignal.
 *
 * - Every record read is mapped; one the mapping refuses goes to `writer.fail` (MAPPER-3700-400),
 *   one the dataset schema refuses is failed by the sink (INGEST-1212-400). Neither is written;
 *   both are counted, kept with their reason in the batch's failed-records file, and sampled.
 * - Partial ingestion: a failed share above `options.partialIngestionPercent` (or any failure
 *   without it) fails the run and aborts the batch, so nothing of it becomes visible.
 * - An engine error (CONNECTOR-2001-500) fails the run and aborts the batch.
 * - A success commits the batch (its id is fixed per run, so a re-run replaces it) and records the
 *   Catalog batch.
 * - Resume: the batch is begun resumable; after each page whose records were all handed over
 *   (`onPageConsumed`), the sink may make what it staged durable with a RunCheckpoint (the engine
 *   checkpoint plus the figures so far), so a checkpoint only ever covers whole pages. A later
 *   attempt of the run (a takeover after its process died) begins the batch with `resume`: when the
 *   sink kept a checkpoint, the read continues at its page and the figures start from it; otherwise
 *   the sink kept nothing and the window is read from its start.
 */

import path from "node:path";
import { type SourceReadContext, sourceReadContext } from "../connections/index.ts";
import { getDataset, recordBatch } from "../datasets/catalog.ts";
import type { BatchWriter, DatasetSink, JsonSchema } from "../datasets/dataset-sink.ts";
import { datasetLayout } from "../datasets/layout.ts";
import { compileRecordCheck, type RecordCheck } from "../datasets/parquet/schema-validator.ts";
import { EngineError, type HttpSettings, type PageReadHandle, readPages } from "../engine/index.ts";
import { FlowError } from "../errors.ts";
import { type CompiledMapping, compileMapping, getMappingSet, identityMapping } from "../mapping/index.ts";
import type { SecretBox } from "../secrets/secret-box.ts";
import type { JsonObject, MetadataStore, Scope } from "../store/metadata-store.ts";
import { flowConnectionIds } from "./run-doc.ts";
import {
  ingestionVerdict,
  type ReadFigures,
  type RunCheckpoint,
  type RunError,
  type RunFigures,
  runErrorCodes,
  type SampledError,
} from "./run-metrics.ts";
import type { FinishedRun, RunClaim } from "./run-queue.ts";

export interface ExecuteRunDeps {
  readonly store: MetadataStore;
  readonly secrets: SecretBox;
  readonly datasets: DatasetSink;
  readonly now: () => number;
  /** Engine HTTP overrides (timeouts, retries); tests make them fast. */
  readonly http?: Partial<HttpSettings> | undefined;
  /**
   * Request pacing across processes (the worker fleet, src/fleet/): given the run's source, what the
   * engine awaits before every request to the upstream (`ReadRequest.beforeRequest`); undefined
   * means unpaced. The embedded runner has none: the engine's own delayRequestMillis applies.
   */
  readonly pace?:
    | ((run: {
        readonly scope: Scope;
        readonly source: SourceReadContext;
        readonly signal: AbortSignal;
      }) => Promise<(() => Promise<void>) | undefined>)
    | undefined;
}

export type ExecutionResult = FinishedRun | { readonly state: "aborted" };

export interface RunExecution {
  /** The figures so far, for heartbeats (GET /runs/{id} shows a run's progress). */
  progress(): RunFigures;
  readonly done: Promise<ExecutionResult>;
}

const sampleLimit = 10;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function mappingRef(flowDoc: JsonObject): string | undefined {
  const transformations = Array.isArray(flowDoc.transformations) ? flowDoc.transformations : [];
  const mapping = transformations.find((t) => isObject(t) && t.name === "Mapping") as JsonObject | undefined;
  const params = mapping && isObject(mapping.params) ? mapping.params : undefined;
  return typeof params?.mappingId === "string" ? params.mappingId : undefined;
}

function partialIngestionPercent(flowDoc: JsonObject): number | undefined {
  const options = isObject(flowDoc.options) ? flowDoc.options : {};
  return typeof options.partialIngestionPercent === "number" ? options.partialIngestionPercent : undefined;
}

function diagnosticsEnabled(flowDoc: JsonObject): boolean {
  return isObject(flowDoc.options) && flowDoc.options.errorDiagnosticsEnabled === true;
}

/** A sink mark this executor wrote (sinks keep it opaque). */
function isCheckpoint(value: unknown): value is RunCheckpoint {
  return isObject(value) && isObject(value.page) && typeof value.records === "number";
}

/** An error before or around the read, as the run shows it. Messages carry no secrets: the engine redacts its own. */
function runErrorOf(error: unknown): RunError {
  if (error instanceof EngineError) {
    const status = error.status === undefined ? "" : ` (HTTP ${error.status})`;
    return {
      code: runErrorCodes.connector,
      message: `The source read failed [${error.kind}]${status}: ${error.message}`,
    };
  }
  if (error instanceof FlowError) {
    const mapping = error.kind === "mappingInvalid" || error.kind === "mappingSchemaMismatch";
    return { code: mapping ? runErrorCodes.mapping : runErrorCodes.connector, message: error.message };
  }
  return {
    code: runErrorCodes.internal,
    message: `Inlet failed to run the window: ${error instanceof Error ? error.message : String(error)}`,
  };
}

class Execution implements RunExecution {
  readonly done: Promise<ExecutionResult>;
  #read: ReadFigures = { records: 0, bytes: 0, pages: 0, requests: 0, retries: 0, stopReason: undefined };
  /** Records read so far; folded into `#read.records` once the read's summary replaces the running figures. */
  #recordsSeen = 0;
  #readSettled = false;
  #readEndedAt: number | undefined;
  #completedAt: number | undefined;
  #written = 0;
  #mappingFailures = 0;
  #schemaFailures = 0;
  #outputBytes = 0;
  #outputFiles = 0;
  #committed = false;
  #failedRecordsFile: string | undefined;
  readonly #errors: RunError[] = [];
  readonly #samples: SampledError[] = [];
  #status: RunFigures["status"] = "inProgress";
  /** The connection's plaintext secrets: scrubbed from every message a run shows (the engine redacts its own too). */
  #secrets: readonly string[] = [];
  #writer: BatchWriter | undefined;
  /** The checkpoint this attempt resumed from; its read figures are added to this attempt's. */
  #resumedFrom: RunCheckpoint | undefined;

  constructor(
    private readonly deps: ExecuteRunDeps,
    private readonly claim: RunClaim,
    private readonly signal: AbortSignal,
  ) {
    this.done = this.#run();
  }

  progress(): RunFigures {
    const ids = flowConnectionIds(this.claim.flow.doc);
    const { execution } = this.claim;
    return {
      status: this.#status,
      window: execution.window,
      attempt: execution.attempt,
      sourceConnectionId: ids.source,
      targetConnectionId: ids.target,
      batchId: execution.batchId,
      committed: this.#committed,
      startedAt: execution.startedAt ?? undefined,
      readEndedAt: this.#readEndedAt,
      completedAt: this.#completedAt,
      read: this.#readFigures(),
      written: this.#written,
      mappingFailures: this.#mappingFailures,
      schemaFailures: this.#schemaFailures,
      outputBytes: this.#outputBytes,
      outputFiles: this.#outputFiles,
      errors: [...this.#errors],
      samples: [...this.#samples],
      failedRecordsFile: this.#failedRecordsFile,
      ...(this.#resumedFrom ? { resumedFrom: this.#resumedFrom } : {}),
      ...(this.#durableCheckpoint() ?? {}),
    };
  }

  #durableCheckpoint(): { checkpoint: RunCheckpoint } | undefined {
    const mark = this.#committed ? undefined : this.#writer?.durableMark?.();
    return isCheckpoint(mark) ? { checkpoint: mark } : undefined;
  }

  /** This attempt's read figures plus those of the checkpoint it resumed from. */
  #withBase(summary: ReadFigures): ReadFigures {
    const base = this.#resumedFrom;
    if (!base) return summary;
    return {
      ...summary,
      records: base.records + summary.records,
      pages: base.pages + summary.pages,
      bytes: base.bytes + summary.bytes,
      requests: base.requests + summary.requests,
      retries: base.retries + summary.retries,
    };
  }

  #readFigures(): ReadFigures {
    return this.#readSettled ? this.#read : { ...this.#read, records: this.#recordsSeen };
  }

  #scrub(message: string): string {
    let text = message;
    for (const secret of this.#secrets) {
      if (secret.length < 4) continue;
      text = text.replaceAll(secret, "[REDACTED]");
      // A mapping failure previews the value cut at 40 characters ("…"): a cut inside a secret
      // leaves a piece the whole-secret replacement above cannot see, so mask that piece too.
      for (let end = secret.length - 1; end >= 4; end--) {
        const piece = `${secret.slice(0, end)}…`;
        if (text.includes(piece)) text = text.replaceAll(piece, "[REDACTED]…");
      }
    }
    return text;
  }

  #sample(recordIndex: number, code: string, message: string): void {
    if (this.#samples.length < sampleLimit) this.#samples.push({ recordIndex, code, message: this.#scrub(message) });
  }

  #end(state: "success" | "failed"): FinishedRun {
    this.#status = state;
    this.#completedAt = this.deps.now();
    return { state, figures: this.progress() };
  }

  async #run(): Promise<ExecutionResult> {
    const { deps, claim } = this;
    const flowDoc = claim.flow.doc;
    const { execution, scope } = claim;
    let writer: BatchWriter | undefined;
    let handle: PageReadHandle | undefined;
    try {
      const ids = flowConnectionIds(flowDoc);
      const context = await sourceReadContext({ store: deps.store, secrets: deps.secrets }, scope, ids.source);
      this.#secrets = context.secretValues;
      const target = await deps.store.getResource("targetConnections", scope, ids.target);
      const params = target && isObject(target.doc.params) ? target.doc.params : {};
      const dataSetId = typeof params.dataSetId === "string" ? params.dataSetId : "";
      const dataset = await getDataset(deps.store, scope, dataSetId);
      if (!dataset) throw new FlowError("notFound", `The target dataset ${dataSetId || "(none)"} no longer exists.`);
      const mapping = await this.#mapping(flowDoc, dataset.schema);
      writer = await deps.datasets.beginBatch({
        id: dataset.id,
        schema: dataset.schema,
        batchId: execution.batchId,
        sink: dataset.sink,
        resumable: true,
        // An earlier attempt may have left a checkpointed batch; the sink knows (a graceful stop
        // aborted its batch, so the sink has nothing and the window is read again).
        resume: execution.attempt > 1,
      });
      this.#writer = writer;
      const resumed = writer.resumed?.mark;
      if (isCheckpoint(resumed)) {
        this.#resumedFrom = resumed;
        this.#recordsSeen = resumed.records;
        this.#written = resumed.written;
        this.#mappingFailures = resumed.mappingFailures;
        this.#schemaFailures = resumed.schemaFailures;
        this.#read = {
          ...this.#read,
          pages: resumed.pages,
          bytes: resumed.bytes,
          requests: resumed.requests,
          retries: resumed.retries,
        };
      }
      const checkpointing = writer;
      const beforeRequest = await deps.pace?.({ scope, source: context, signal: this.signal });
      // Identity-mapped records may reach a sink that takes JSON text as sliced from the response.
      const writeJson = mapping.identity ? writer.writeJson?.bind(writer) : undefined;
      handle = readPages({
        json: writeJson !== undefined,
        spec: context.connectionSpec,
        authSpecName: context.authSpecName,
        auth: context.auth,
        params: context.params,
        window: {
          start: new Date(execution.window.start),
          end: new Date(execution.window.end),
          backfill: execution.window.backfill,
        },
        signal: this.signal,
        now: () => new Date(deps.now()),
        ...(deps.http ? { http: deps.http } : {}),
        ...(beforeRequest ? { beforeRequest } : {}),
        onCredentialsRotated: (rotated) => context.onCredentialsRotated(rotated),
        ...(this.#resumedFrom ? { resumeFrom: this.#resumedFrom.page } : {}),
        ...(checkpointing.checkpoint
          ? {
              // Every record of the page went through the loop below: the sink may stage up to here.
              onPageConsumed: (page) =>
                checkpointing.checkpoint?.({
                  page,
                  records: this.#recordsSeen,
                  pages: this.#read.pages,
                  bytes: this.#read.bytes,
                  requests: this.#read.requests,
                  retries: this.#read.retries,
                  written: this.#written,
                  mappingFailures: this.#mappingFailures,
                  schemaFailures: this.#schemaFailures,
                } satisfies RunCheckpoint),
            }
          : {}),
        onEvent: (event) => {
          if (event.type === "page")
            this.#read = { ...this.#read, pages: this.#read.pages + 1, bytes: this.#read.bytes + event.bytes };
          else if (event.type === "retry") this.#read = { ...this.#read, retries: this.#read.retries + 1 };
          else if (event.type === "request") this.#read = { ...this.#read, requests: this.#read.requests + 1 };
        },
      });
      let check: RecordCheck | undefined;
      const batch = writer;
      /** One parsed record: mapped, then written or failed; a promise only where the sink pushed back. */
      const take = (record: Record<string, unknown>, recordIndex: number): Promise<void> | undefined => {
        const outcome = mapping.apply(record);
        if (!outcome.ok) {
          this.#mappingFailures++;
          this.#sample(recordIndex, runErrorCodes.mapping, outcome.reason);
          return batch.fail(record, outcome.reason);
        }
        // No promise back means the sink validated and buffered the row (see BatchWriter.write):
        // the common path then costs no await, no microtask and no stats() object per record.
        const pending = batch.write(outcome.row);
        if (pending === undefined) {
          this.#written++;
          return undefined;
        }
        return pending.then(() => {
          if (batch.stats().failedRecordCount > this.#mappingFailures + this.#schemaFailures) {
            this.#schemaFailures++;
            if (this.#samples.length < sampleLimit) {
              check ??= compileRecordCheck(dataset.schema);
              this.#sample(
                recordIndex,
                runErrorCodes.schema,
                check(outcome.row) ?? "The record does not match the dataset schema.",
              );
            }
          } else this.#written++;
        });
      };
      for await (const page of handle) {
        if (page.format === "objects") {
          for (const record of page.records) {
            if (this.signal.aborted) break;
            // A counter, not a fresh `#read` object per record: progress() adds it (see #readFigures).
            const pending = take(record, this.#recordsSeen++);
            if (pending !== undefined) await pending;
          }
        } else {
          for (const json of page.records) {
            if (this.signal.aborted) break;
            const recordIndex = this.#recordsSeen++;
            // The sink takes the text as is when it can vouch for it; else parse and map as usual.
            const written = writeJson?.(json);
            if (written === undefined) this.#written++;
            else if (written === false) {
              const pending = take(JSON.parse(json.toString("utf8")) as Record<string, unknown>, recordIndex);
              if (pending !== undefined) await pending;
            } else {
              await written;
              this.#written++;
            }
          }
        }
        if (this.signal.aborted) break;
      }
      if (this.signal.aborted) {
        await writer.abort();
        return { state: "aborted" };
      }
      const summary = handle.summary();
      this.#readSettled = true;
      this.#read = this.#withBase({
        records: summary.records,
        bytes: summary.bytes,
        pages: summary.pages,
        requests: summary.requests,
        retries: summary.retries,
        stopReason: summary.stopReason,
      });
      this.#readEndedAt = deps.now();
      const failed = this.#mappingFailures + this.#schemaFailures;
      const verdict = ingestionVerdict(this.#read.records, failed, partialIngestionPercent(flowDoc));
      const failureCode = this.#mappingFailures >= this.#schemaFailures ? runErrorCodes.mapping : runErrorCodes.schema;
      if (!verdict.ok) {
        await writer.abort();
        this.#errors.push({ code: failureCode, message: verdict.message ?? "Records failed." });
        return this.#end("failed");
      }
      const result = await writer.commit();
      writer = undefined;
      this.#committed = true;
      this.#written = result.writtenRecordCount;
      this.#outputBytes = result.outputBytes;
      this.#outputFiles = result.files.length;
      if (result.failedRecordsFile !== undefined && diagnosticsEnabled(flowDoc)) {
        // Relative to the data directory: the server's own paths are nobody's business.
        this.#failedRecordsFile = path.join(
          datasetLayout.batch("", dataset.id, execution.batchId),
          datasetLayout.failedRecordsFileName,
        );
      }
      if (verdict.message !== undefined) this.#errors.push({ code: failureCode, message: verdict.message });
      const completedAt = deps.now();
      await recordBatch(deps.store, scope, {
        batchId: execution.batchId,
        datasetId: dataset.id,
        flowId: claim.flow.id,
        runId: claim.runId,
        status: "success",
        recordCount: result.writtenRecordCount,
        failedRecordCount: result.failedRecordCount,
        outputBytes: result.outputBytes,
        startedAt: execution.startedAt ?? completedAt,
        completedAt,
      });
      return this.#end("success");
    } catch (error) {
      await writer?.abort().catch(() => undefined);
      if (this.signal.aborted) return { state: "aborted" };
      if (handle !== undefined && error instanceof EngineError) {
        try {
          const summary = handle.summary();
          // `records` stays unsettled: progress() shows the records seen (the resumed ones included).
          this.#read = {
            ...this.#withBase({
              ...this.#read,
              bytes: summary.bytes,
              pages: summary.pages,
              requests: summary.requests,
              retries: summary.retries,
              stopReason: summary.stopReason,
            }),
            records: this.#read.records,
          };
        } catch {
          // The read never started: keep the figures counted so far.
        }
      }
      const runError = runErrorOf(error);
      this.#errors.push({ ...runError, message: this.#scrub(runError.message) });
      return this.#end("failed");
    }
  }

  async #mapping(flowDoc: JsonObject, schema: JsonSchema): Promise<CompiledMapping> {
    const mappingId = mappingRef(flowDoc);
    if (mappingId === undefined) return identityMapping(schema);
    const set = await getMappingSet(this.deps.store, this.claim.scope, mappingId);
    if (!set) throw new FlowError("mappingInvalid", `The flow's mapping set ${mappingId} no longer exists.`);
    return compileMapping(set.doc, schema, () => new Date(this.deps.now()));
  }
}

/** Starts running a claimed window; `done` settles with its result and never rejects. */
export function executeRun(deps: ExecuteRunDeps, claim: RunClaim, signal: AbortSignal): RunExecution {
  return new Execution(deps, claim, signal);
}
