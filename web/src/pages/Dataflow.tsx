/**
 * One dataflow: its definition, enable/disable and run now, a chart of records in and failed per
 * run, and the runs with their metrics, errors and sample failed records. Polls every 2 s while a
 * run is pending or in progress, every 10 s otherwise.
 */
import { useState } from "react";
import { Link, useApp, useInterval, useLoad } from "../app-context.tsx";
import { ErrorNotice, Notice } from "../components/Notice.tsx";
import { Page } from "../components/Page.tsx";
import { RunChart } from "../components/RunChart.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { fs } from "../lib/api.ts";
import { flowSourceSpecId, sourceCard } from "../lib/catalog.ts";
import { hrefs } from "../lib/routes.ts";
import {
  chronological,
  formatBytes,
  formatCount,
  formatDuration,
  isTerminal,
  type RunRow,
  runRow,
} from "../lib/runs.ts";
import { describeSchedule, formatTime } from "../lib/schedule.ts";

type Json = Record<string, unknown>;

export function Dataflow(props: { id: string }) {
  const { api, scope } = useApp();
  const flow = useLoad(() => api.one<Json>(fs(`/flows/${encodeURIComponent(props.id)}`)), [scope, props.id]);
  const runs = useLoad(
    async () =>
      (await api.list<Json>(fs(`/runs?property=${encodeURIComponent(`flowId==${props.id}`)}&limit=100`))).map(runRow),
    [scope, props.id],
  );
  const targetId = String((flow.data?.targetConnectionIds as unknown[] | undefined)?.[0] ?? "");
  const specId = flowSourceSpecId(flow.data);
  const related = useLoad(async () => {
    const [target, spec] = await Promise.all([
      targetId
        ? api.one<Json>(fs(`/targetConnections/${encodeURIComponent(targetId)}`)).catch(() => undefined)
        : undefined,
      specId ? api.one<Json>(fs(`/connectionSpecs/${encodeURIComponent(specId)}`)).catch(() => undefined) : undefined,
    ]);
    const params = (target?.params ?? {}) as Json;
    return { dataSetId: typeof params.dataSetId === "string" ? params.dataSetId : undefined, source: sourceCard(spec) };
  }, [scope, targetId, specId]);
  const rows = chronological(runs.data ?? []);
  const active = rows.some((r) => !isTerminal(r.state));
  useInterval(
    () => {
      runs.reload();
      flow.reload();
    },
    active ? 2_000 : 10_000,
  );
  const [selected, setSelected] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();
  const [message, setMessage] = useState<string>();

  if (flow.error && !flow.data) {
    return (
      <Page title="Dataflow">
        <ErrorNotice error={flow.error} title="Could not load the dataflow" />
        <p>
          <Link href={hrefs.dataflows}>All dataflows</Link>
        </p>
      </Page>
    );
  }
  const f = flow.data;
  if (!f) {
    return (
      <Page title="Dataflow">
        <p className="muted">Loading…</p>
      </Page>
    );
  }
  const state = String(f.state ?? "");
  const schedule = (f.scheduleParams ?? {}) as Json;
  const once = schedule.frequency === "once";
  const newestFirst = [...rows].reverse();
  const detail = rows.find((r) => r.id === selected) ?? newestFirst[0];

  async function act(label: string, work: () => Promise<unknown>, done: string) {
    setBusy(label);
    setActionError(undefined);
    setMessage(undefined);
    try {
      await work();
      setMessage(done);
      flow.reload();
      runs.reload();
    } catch (cause) {
      setActionError(cause);
    } finally {
      setBusy(undefined);
    }
  }

  const toggle = () =>
    act(
      "toggle",
      () =>
        api.post(
          fs(`/flows/${encodeURIComponent(props.id)}/action?op=${state === "enabled" ? "disable" : "enable"}`),
          undefined,
          typeof f.etag === "string" ? { "if-match": f.etag } : {},
        ),
      state === "enabled" ? "Dataflow disabled." : "Dataflow enabled.",
    );
  const runNow = () =>
    act(
      "run",
      () =>
        api.post(fs("/runs"), {
          flowId: props.id,
          params: { windowStartTime: 0, windowEndTime: Math.floor(Date.now() / 1000) },
        }),
      "Run started.",
    );

  return (
    <Page
      title={String(f.name ?? props.id)}
      lead={typeof f.description === "string" && f.description ? f.description : undefined}
      actions={
        <>
          <StateBadge state={state} />
          <button type="button" onClick={() => void toggle()} disabled={busy !== undefined}>
            {state === "enabled" ? "Disable" : "Enable"}
          </button>
          {once ? (
            <button
              type="button"
              className="primary"
              onClick={() => void runNow()}
              disabled={busy !== undefined || state !== "enabled"}
            >
              {busy === "run" ? "Starting…" : "Run now"}
            </button>
          ) : null}
        </>
      }
    >
      <p>
        <Link href={hrefs.dataflows}>← All dataflows</Link>
      </p>
      <div aria-live="polite">{message ? <Notice kind="success">{message}</Notice> : null}</div>
      {actionError ? <ErrorNotice error={actionError} title="The action failed" /> : null}
      {!once ? (
        <p className="help">On-demand runs are for dataflows scheduled once; this one runs on its schedule.</p>
      ) : null}
      {once && state !== "enabled" ? <p className="help">Enable the dataflow to run it.</p> : null}

      <div className="grid-2 top">
        <section className="card" aria-labelledby="definition-title">
          <h2 id="definition-title">Definition</h2>
          <dl className="summary">
            <dt>Source</dt>
            <dd>{related.data?.source?.label ?? specId ?? "—"}</dd>
            <dt>Dataset</dt>
            <dd>
              <code>{related.data?.dataSetId ?? "—"}</code>
            </dd>
            <dt>Schedule</dt>
            <dd>{describeSchedule(schedule)}</dd>
            <dt>Next run</dt>
            <dd>{typeof f.nextRunAt === "number" ? formatTime(f.nextRunAt) : "—"}</dd>
            <dt>Source connection</dt>
            <dd>
              <code>{String((f.sourceConnectionIds as unknown[] | undefined)?.[0] ?? "")}</code>
            </dd>
            <dt>Target connection</dt>
            <dd>
              <code>{String((f.targetConnectionIds as unknown[] | undefined)?.[0] ?? "")}</code>
            </dd>
            <dt>Mapping set</dt>
            <dd>
              <code>
                {String(
                  ((f.transformations as Json[] | undefined)?.[0]?.params as Json | undefined)?.mappingId ?? "none",
                )}
              </code>
            </dd>
            <dt>Created</dt>
            <dd>{formatTime(Number(f.createdAt))}</dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="chart-title">
          <h2 id="chart-title">Records per run</h2>
          <RunChart runs={rows} />
        </section>
      </div>

      <section className="card" aria-labelledby="runs-title">
        <div className="section-head">
          <h2 id="runs-title">Runs</h2>
          <span className="muted small" aria-live="polite">
            {active
              ? "A run is in progress; refreshing every 2 seconds."
              : `${rows.length} run${rows.length === 1 ? "" : "s"}`}
          </span>
        </div>
        {runs.error ? <ErrorNotice error={runs.error} title="Could not load the runs" /> : null}
        {rows.length === 0 && !runs.loading ? <p className="muted">No runs yet.</p> : null}
        {rows.length > 0 ? (
          <div className="table-wrap">
            <table className="runs">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">State</th>
                  <th scope="col">Started</th>
                  <th scope="col">Duration</th>
                  <th scope="col" className="num">
                    Records in
                  </th>
                  <th scope="col" className="num">
                    Written
                  </th>
                  <th scope="col" className="num">
                    Failed
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {newestFirst.map((run) => {
                  const number = rows.indexOf(run) + 1;
                  const current = detail?.id === run.id;
                  return (
                    <tr key={run.id} className={current ? "selected" : undefined}>
                      <td>#{number}</td>
                      <td>
                        <StateBadge state={run.state} />
                      </td>
                      <td>{formatTime(run.startedAt ?? run.createdAt)}</td>
                      <td>{formatDuration(run.durationMs)}</td>
                      <td className="num">{formatCount(run.input)}</td>
                      <td className="num">{formatCount(run.output)}</td>
                      <td className="num">{formatCount(run.failed)}</td>
                      <td>
                        <button
                          type="button"
                          className="small"
                          aria-pressed={current}
                          onClick={() => setSelected(run.id)}
                        >
                          Details<span className="visually-hidden"> of run {number}</span>
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      {detail ? <RunDetails run={detail} number={rows.indexOf(detail) + 1} /> : null}
    </Page>
  );
}

function RunDetails(props: { run: RunRow; number: number }) {
  const { run } = props;
  return (
    <section className="card" aria-labelledby="run-details-title">
      <h2 id="run-details-title">
        Run #{props.number} <StateBadge state={run.state} />
      </h2>
      <p className="muted small">
        <code>{run.id}</code>
        {run.trigger ? ` · ${run.trigger === "onDemand" ? "on demand" : run.trigger}` : ""}
      </p>
      <dl className="metrics">
        <div>
          <dt>Records in</dt>
          <dd>{formatCount(run.input)}</dd>
        </div>
        <div>
          <dt>Written</dt>
          <dd>{formatCount(run.output)}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd>{formatCount(run.failed)}</dd>
        </div>
        <div>
          <dt>Read</dt>
          <dd>{formatBytes(run.inputBytes)}</dd>
        </div>
        <div>
          <dt>Written to the dataset</dt>
          <dd>{formatBytes(run.outputBytes)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(run.durationMs)}</dd>
        </div>
        <div>
          <dt>Pages / requests / retries</dt>
          <dd>
            {run.pages ?? "—"} / {run.requests ?? "—"} / {run.retries ?? "—"}
          </dd>
        </div>
        <div>
          <dt>Stop reason</dt>
          <dd>{run.stopReason ?? "—"}</dd>
        </div>
        <div>
          <dt>Window</dt>
          <dd className="small">
            {run.windowStart === 0 ? "from the beginning" : formatTime(run.windowStart)} → {formatTime(run.windowEnd)}
          </dd>
        </div>
        <div>
          <dt>Batch</dt>
          <dd className="small">{run.batchIds.length > 0 ? run.batchIds.join(", ") : "—"}</dd>
        </div>
      </dl>

      <h3>Errors</h3>
      {run.errors.length === 0 ? (
        <p className="muted">No errors.</p>
      ) : (
        <ul className="errors">
          {run.errors.map((e) => (
            <li key={`${e.code}|${e.message}`}>
              <code>{e.code}</code> {e.message}
            </li>
          ))}
        </ul>
      )}

      <h3>Sample failed records</h3>
      {run.samples.length === 0 ? (
        <p className="muted">No failed records.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Record index</th>
                <th scope="col">Code</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {run.samples.map((s) => (
                <tr key={`${s.recordIndex}|${s.code}|${s.message}`}>
                  <td>{s.recordIndex ?? "—"}</td>
                  <td>
                    <code>{s.code}</code>
                  </td>
                  <td>{s.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {run.failedRecordsFile ? (
        <p className="help">
          All failed records: <code>{run.failedRecordsFile}</code> in the server's data directory.
        </p>
      ) : null}
    </section>
  );
}
