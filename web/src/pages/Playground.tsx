/**
 * The spec playground: edit or paste a connection spec and see the linter's problems at their
 * fields (a marker in the editor's gutter and a code frame with the message under the line), then
 * fill auth and params and run a bounded test read of the first pages (POST /inlet/playground/read):
 * each request and response, secrets redacted, and why the read stopped.
 */
import { type UIEvent, useEffect, useMemo, useRef, useState } from "react";
import { useApp, useLoad } from "../app-context.tsx";
import { JsonView } from "../components/JsonView.tsx";
import { ErrorNotice, Notice } from "../components/Notice.tsx";
import { Page } from "../components/Page.tsx";
import { PreviewTable } from "../components/PreviewTable.tsx";
import { SchemaForm } from "../components/SchemaForm.tsx";
import { fs, inlet } from "../lib/api.ts";
import { inferSchema } from "../lib/fields.ts";
import { authOptions, cleanFormData, hasNoFields, sourceParamsSchema } from "../lib/forms.ts";
import { locatePointers, offsetOf } from "../lib/json-locate.ts";
import { describeStop, type LintAnswer, placeProblems, templateSpec } from "../lib/playground.ts";
import { formatBytes, formatDuration } from "../lib/runs.ts";

type Json = Record<string, unknown>;

interface RequestEntry {
  readonly kind: "page" | "token";
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly status?: number;
  readonly durationMs: number;
  readonly bytes: number;
  readonly retries: number;
  readonly error?: string;
  readonly page?: number;
}

interface ReadAnswer {
  readonly firstRequest?: { method: string; url: string; headers: Record<string, string>; body?: string };
  readonly requests: readonly RequestEntry[];
  readonly pages: ReadonlyArray<{ page: number; records: number; bytes: number; excerpt: string; truncated: boolean }>;
  readonly records: readonly Json[];
  readonly schema?: Json;
  readonly summary: {
    pages: number;
    records: number;
    requests: number;
    retries: number;
    bytes: number;
    durationMs: number;
    stopReason: string;
    limitedBy?: string;
  };
  readonly limits: { maxPages: number; maxRecords: number };
  readonly error?: { kind: string; message: string; status?: number; url?: string; bodyExcerpt?: string };
}

const lineHeightPx = 20;

export function Playground() {
  const { api, scope } = useApp();
  const [text, setText] = useState(() => `${JSON.stringify(templateSpec, null, 2)}\n`);
  const [lint, setLint] = useState<LintAnswer>();
  const [lintError, setLintError] = useState<unknown>();
  const editor = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const specs = useLoad(() => api.list<Json>(fs("/connectionSpecs?limit=100")), [scope]);

  // Lint 400 ms after the last keystroke.
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      api.post<LintAnswer>(inlet("/playground/lint"), { text }).then(
        (answer) => {
          if (!live) return;
          setLint(answer);
          setLintError(undefined);
        },
        (error: unknown) => live && setLintError(error),
      );
    }, 400);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text, api]);

  const locations = useMemo(() => locatePointers(text), [text]);
  const placed = useMemo(() => (lint ? placeProblems(text, lint, locations) : []), [text, lint, locations]);
  const parsed = useMemo<Json | undefined>(() => {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : undefined;
    } catch {
      return undefined;
    }
  }, [text]);
  const lineCount = text.split("\n").length;
  const problemLines = new Map<number, "error" | "warning">();
  for (const p of placed) {
    if (!p.location) continue;
    if (problemLines.get(p.location.line) !== "error") problemLines.set(p.location.line, p.severity);
  }
  const errors = placed.filter((p) => p.severity === "error").length;
  const warnings = placed.length - errors;

  function jumpTo(line: number, column: number) {
    const area = editor.current;
    if (!area) return;
    const offset = offsetOf(text, line, column);
    area.focus();
    area.setSelectionRange(offset, offset);
    area.scrollTop = Math.max(0, (line - 4) * lineHeightPx);
  }

  function loadSpec(id: string) {
    const found = (specs.data ?? []).find((s) => s.id === id);
    if (!found) return;
    const {
      createdAt: _a,
      updatedAt: _b,
      createdBy: _c,
      updatedBy: _d,
      createdClient: _e,
      updatedClient: _f,
      sandboxId: _g,
      sandboxName: _h,
      imsOrgId: _i,
      etag: _j,
      ...spec
    } = found;
    setText(`${JSON.stringify(spec, null, 2)}\n`);
  }

  return (
    <Page
      title="Spec playground"
      lead="Write a connection spec, see its problems where they are, and try it against the live API. Nothing here is saved."
    >
      <div className="playground">
        <section className="card editor-pane" aria-labelledby="spec-title">
          <div className="section-head">
            <h2 id="spec-title">Connection spec</h2>
            <div className="toolbar">
              <label className="visually-hidden" htmlFor="load-spec">
                Load a registered spec
              </label>
              <select id="load-spec" value="" onChange={(e) => loadSpec(e.target.value)}>
                <option value="">Load a registered spec…</option>
                {(specs.data ?? []).map((s) => (
                  <option key={String(s.id)} value={String(s.id)}>
                    {String(s.name ?? s.id)}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="small"
                onClick={() => setText(`${JSON.stringify(templateSpec, null, 2)}\n`)}
              >
                Template
              </button>
              <button
                type="button"
                className="small"
                disabled={!parsed}
                onClick={() => parsed && setText(`${JSON.stringify(parsed, null, 2)}\n`)}
              >
                Format
              </button>
            </div>
          </div>
          <div className="editor">
            <div className="gutter" ref={gutter} aria-hidden="true">
              {Array.from({ length: lineCount }, (_, i) => {
                const mark = problemLines.get(i + 1);
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: line numbers are positions
                  <div key={i} className={mark ? `gutter-line ${mark}` : "gutter-line"}>
                    {mark ? <span className="marker">●</span> : null}
                    {i + 1}
                  </div>
                );
              })}
            </div>
            <textarea
              ref={editor}
              className="code"
              aria-label="Connection spec (JSON)"
              aria-describedby="lint-summary"
              spellCheck={false}
              autoCapitalize="off"
              autoComplete="off"
              wrap="off"
              value={text}
              onChange={(e) => setText(e.target.value)}
              onScroll={(e: UIEvent<HTMLTextAreaElement>) => {
                if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
              }}
            />
          </div>
        </section>

        <section className="card problems-pane" aria-labelledby="lint-title">
          <h2 id="lint-title">Lint</h2>
          <p id="lint-summary" role="status" className={errors > 0 ? "lint-summary bad" : "lint-summary good"}>
            {!lint
              ? "Linting…"
              : placed.length === 0
                ? "No problems: the spec is valid."
                : `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`}
          </p>
          {lintError ? <ErrorNotice error={lintError} title="The linter could not run" /> : null}
          <ol className="lint-problems">
            {placed.map((p) => (
              <li key={`${p.severity}|${p.pointer}|${p.message}`} className={`lint-problem ${p.severity}`}>
                <div className="lint-head">
                  <span className={`badge ${p.severity === "error" ? "bad" : "warn"}`}>{p.severity}</span>
                  {p.location ? (
                    <button
                      type="button"
                      className="link"
                      onClick={() => p.location && jumpTo(p.location.line, p.location.column)}
                    >
                      Line {p.location.line}
                      <span className="visually-hidden">: go to the field in the editor</span>
                    </button>
                  ) : null}
                  <code className="pointer">{p.pointer || "/"}</code>
                </div>
                {p.frame.length > 0 && p.location ? (
                  <div className="codeframe">
                    {p.frame.map((line) => (
                      <div key={line.line}>
                        <div className={line.line === p.location?.line ? "cf-line hit" : "cf-line"}>
                          <span className="cf-number">{line.line}</span>
                          <span className="cf-text">{line.text}</span>
                        </div>
                        {line.line === p.location?.line ? (
                          <div className={`cf-message ${p.severity}`}>
                            <span className="cf-number" />
                            <span className="cf-text">
                              {" ".repeat(Math.max(0, (p.location?.column ?? 1) - 1))}^ {p.message}
                              {p.location && !p.location.exact ? " (missing here)" : ""}
                            </span>
                          </div>
                        ) : null}
                      </div>
                    ))}
                  </div>
                ) : (
                  <p className="cf-message-plain">{p.message}</p>
                )}
              </li>
            ))}
          </ol>
        </section>
      </div>
      <TestRead spec={parsed} text={text} />
    </Page>
  );
}

function TestRead(props: { spec: Json | undefined; text: string }) {
  const { api } = useApp();
  const options = authOptions(props.spec);
  const [authName, setAuthName] = useState<string>();
  const option = options.find((o) => o.name === authName) ?? options[0];
  const paramsSchema = sourceParamsSchema(props.spec);
  const [auth, setAuth] = useState<Json>({});
  const [params, setParams] = useState<Json>({});
  const [maxPages, setMaxPages] = useState("2");
  const [maxRecords, setMaxRecords] = useState("20");
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<ReadAnswer>();
  const [error, setError] = useState<unknown>();
  const authKey = JSON.stringify(option?.schema ?? null);
  const paramsKey = JSON.stringify(paramsSchema ?? null);

  async function run() {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.post<ReadAnswer>(inlet("/playground/read"), {
        text: props.text,
        ...(option ? { authSpecName: option.name } : {}),
        auth: cleanFormData(auth),
        params: cleanFormData(params),
        maxPages: Number(maxPages),
        maxRecords: Number(maxRecords),
      });
      setAnswer(result);
    } catch (cause) {
      setError(cause);
      setAnswer(undefined);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <section className="card" aria-labelledby="read-title">
        <h2 id="read-title">Test read</h2>
        {!props.spec ? <p className="muted">Fix the JSON to fill in credentials and parameters.</p> : null}
        {props.spec ? (
          <div className="grid-2 top">
            <div>
              <h3>Authentication</h3>
              {options.length === 0 ? <p className="muted">The spec declares no authSpec.</p> : null}
              {options.length > 1 ? (
                <div className="field">
                  <label htmlFor="read-auth-type">Authentication type</label>
                  <select
                    id="read-auth-type"
                    value={option?.name}
                    onChange={(e) => {
                      setAuthName(e.target.value);
                      setAuth({});
                    }}
                  >
                    {options.map((o) => (
                      <option key={o.name} value={o.name}>
                        {o.name}
                      </option>
                    ))}
                  </select>
                </div>
              ) : null}
              {option ? (
                <SchemaForm
                  key={authKey}
                  idPrefix="read-auth"
                  schema={option.schema}
                  formData={auth}
                  onChange={setAuth}
                />
              ) : null}
            </div>
            <div>
              <h3>Source parameters</h3>
              {hasNoFields(paramsSchema) ? (
                <p className="muted">The spec declares no parameters.</p>
              ) : (
                <SchemaForm
                  key={paramsKey}
                  idPrefix="read-params"
                  schema={paramsSchema}
                  formData={params}
                  onChange={setParams}
                />
              )}
              <div className="grid-2">
                <div className="field">
                  <label htmlFor="read-pages">Pages (at most 5)</label>
                  <input
                    id="read-pages"
                    type="number"
                    min={1}
                    max={5}
                    value={maxPages}
                    onChange={(e) => setMaxPages(e.target.value)}
                  />
                </div>
                <div className="field">
                  <label htmlFor="read-records">Records (at most 100)</label>
                  <input
                    id="read-records"
                    type="number"
                    min={1}
                    max={100}
                    value={maxRecords}
                    onChange={(e) => setMaxRecords(e.target.value)}
                  />
                </div>
              </div>
            </div>
          </div>
        ) : null}
        <div className="actions">
          <button type="button" className="primary" onClick={() => void run()} disabled={busy || !props.spec}>
            {busy ? "Reading…" : "Run test read"}
          </button>
          <span className="help">
            Requests go from the Inlet server to the API the spec names; secrets are redacted from what comes back.
          </span>
        </div>
        {error ? <ErrorNotice error={error} title="The test read could not run" /> : null}
      </section>
      {answer ? <ReadResult answer={answer} /> : null}
    </>
  );
}

function ReadResult(props: { answer: ReadAnswer }) {
  const { answer } = props;
  const { summary } = answer;
  const stop = describeStop(summary.stopReason, summary.limitedBy, answer.limits);
  return (
    <section className="card" aria-labelledby="result-title">
      <h2 id="result-title">Result</h2>
      <div aria-live="polite">
        {answer.error ? (
          <Notice kind="error" title={`Stop reason: ${summary.stopReason} (${answer.error.kind})`}>
            <p>{answer.error.message}</p>
            {answer.error.status !== undefined ? <p>Upstream status {answer.error.status}</p> : null}
            {answer.error.bodyExcerpt ? (
              <JsonView value={answer.error.bodyExcerpt} label="Response body excerpt" />
            ) : null}
          </Notice>
        ) : (
          <Notice kind="success" title={`Stop reason: ${summary.stopReason}`}>
            Stopped because {stop}.
          </Notice>
        )}
      </div>
      <p className="muted">
        {summary.pages} page(s), {summary.records} record(s), {summary.requests} request(s), {summary.retries} retr
        {summary.retries === 1 ? "y" : "ies"}, {formatBytes(summary.bytes)} in {formatDuration(summary.durationMs)}.
      </p>
      {answer.requests.length === 0 && answer.firstRequest ? (
        <>
          <h3>First request (not sent)</h3>
          <RequestView
            method={answer.firstRequest.method}
            url={answer.firstRequest.url}
            headers={answer.firstRequest.headers}
            body={answer.firstRequest.body}
          />
        </>
      ) : null}
      <h3>Requests and responses</h3>
      <ol className="requests">
        {answer.requests.map((entry, index) => {
          const page = entry.page === undefined ? undefined : answer.pages[entry.page - 1];
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: the log is in order
            <li key={index}>
              <details open={index === 0}>
                <summary>
                  <span className={`status ${entry.status !== undefined && entry.status < 300 ? "good" : "bad"}`}>
                    {entry.status ?? "—"}
                  </span>{" "}
                  <strong>{entry.method}</strong> <code className="url">{entry.url}</code>{" "}
                  <span className="muted small">
                    {entry.kind === "token" ? "token refresh · " : ""}
                    {formatDuration(entry.durationMs)} · {formatBytes(entry.bytes)}
                    {entry.retries > 0 ? ` · ${entry.retries} retr${entry.retries === 1 ? "y" : "ies"}` : ""}
                  </span>
                </summary>
                <div className="exchange">
                  <div>
                    <h4>Request</h4>
                    <RequestView method={entry.method} url={entry.url} headers={entry.headers} body={entry.body} />
                  </div>
                  <div>
                    <h4>Response</h4>
                    <p>
                      Status {entry.status ?? "none"}, {formatBytes(entry.bytes)}, {formatDuration(entry.durationMs)}
                      {entry.error ? `: ${entry.error}` : ""}
                    </p>
                    {page ? (
                      <>
                        <p className="muted small">
                          Page {page.page}: {page.records} record(s) extracted at contentPath
                          {page.truncated ? " (cut at 64 KiB)" : ""}
                        </p>
                        <JsonView value={page.excerpt} label={`Records of page ${page.page}`} />
                      </>
                    ) : null}
                  </div>
                </div>
              </details>
            </li>
          );
        })}
      </ol>
      {answer.records.length > 0 ? (
        <>
          <h3>Records</h3>
          <PreviewTable
            schema={answer.schema ?? inferSchema(answer.records)}
            records={answer.records}
            caption={`${answer.records.length} record(s) read`}
          />
        </>
      ) : null}
    </section>
  );
}

function RequestView(props: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
}) {
  const headers = Object.entries(props.headers);
  return (
    <div className="request-view">
      <p>
        <strong>{props.method}</strong> <code className="url">{props.url}</code>
      </p>
      {headers.length > 0 ? (
        <table className="headers">
          <caption className="visually-hidden">Request headers</caption>
          <tbody>
            {headers.map(([name, value]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>
                  <code>{value}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {props.body ? <JsonView value={props.body} label="Request body" /> : null}
    </div>
  );
}
