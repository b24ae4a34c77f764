/**
 * The source wizard (spec §7's UI path): account → select data → dataset and mapping → schedule →
 * review and create. Creating posts, in order, the source connection, the dataset (when new), the
 * target connection, the mapping set and the flow; what was created is reused if a later step
 * fails and the person tries again, as long as its inputs did not change.
 */
import { useRef, useState } from "react";
import { Link, useApp, useLoad } from "../app-context.tsx";
import { ErrorNotice, Notice } from "../components/Notice.tsx";
import { Page } from "../components/Page.tsx";
import { ApiError, catalog, catalogId, conversion, fs, messageOf } from "../lib/api.ts";
import { dataLakeSpecId, sourceCard } from "../lib/catalog.ts";
import { cleanFormData } from "../lib/forms.ts";
import {
  datasetSchema,
  type MappingRow,
  mappingSetBody,
  proposeFields,
  type RowProblem,
  rowsForProposal,
  serverRowProblems,
} from "../lib/mapping.ts";
import { hrefs } from "../lib/routes.ts";
import { defaultSchedule, describeSchedule, scheduleParams } from "../lib/schedule.ts";
import { AccountStep } from "./wizard/AccountStep.tsx";
import { destinationsFor, MappingStep } from "./wizard/MappingStep.tsx";
import { ScheduleStep } from "./wizard/ScheduleStep.tsx";
import { SelectDataStep } from "./wizard/SelectDataStep.tsx";
import type { Account, FlowSettings, Json, PreviewData, TargetChoice } from "./wizard/types.ts";

export const restStorageToAepFlowSpecId = "6499120c-0b15-42dc-936e-847ea3c24d72";
const steps = ["Account", "Select data", "Dataset and mapping", "Schedule", "Review"] as const;

export function Wizard(props: { specId: string }) {
  const { api, scope } = useApp();
  const spec = useLoad(
    () => api.one<Json>(fs(`/connectionSpecs/${encodeURIComponent(props.specId)}`)),
    [scope, props.specId],
  );
  if (spec.error) {
    return (
      <Page title="Set up a source">
        <ErrorNotice error={spec.error} title="Could not load the connection spec" />
        <p>
          <Link href={hrefs.catalog}>Back to the sources</Link>
        </p>
      </Page>
    );
  }
  if (!spec.data) {
    return (
      <Page title="Set up a source">
        <p className="muted">Loading…</p>
      </Page>
    );
  }
  return <WizardSteps spec={spec.data} />;
}

type Progress = Array<{ label: string; state: "waiting" | "running" | "done" | "failed" | "skipped"; detail?: string }>;

function WizardSteps(props: { spec: Json }) {
  const { api, navigate } = useApp();
  const { spec } = props;
  const card = sourceCard(spec);
  const label = card?.label ?? String(spec.name ?? "Source");
  const [step, setStep] = useState(0);
  const [account, setAccount] = useState<Account>();
  const [params, setParams] = useState<Json>({});
  const [preview, setPreview] = useState<PreviewData>();
  const [target, setTarget] = useState<TargetChoice>({
    mode: "new",
    name: `${label} dataset`,
    fields: [],
    existing: undefined,
  });
  const [rows, setRows] = useState<readonly MappingRow[]>([]);
  const [serverProblems, setServerProblems] = useState<readonly RowProblem[]>([]);
  const [flow, setFlow] = useState<FlowSettings>({
    name: `${label} dataflow`,
    description: "",
    schedule: defaultSchedule(),
    errorDiagnostics: true,
    partialIngestionPercent: "",
  });
  const [progress, setProgress] = useState<Progress>();
  const [createError, setCreateError] = useState<unknown>();
  const [creating, setCreating] = useState(false);
  const created = useRef(new Map<string, { key: string; id: string }>());

  const go = (next: number) => {
    setStep(next);
    window.scrollTo(0, 0);
  };

  function onPreview(next: PreviewData | undefined) {
    setPreview(next);
    if (next) {
      const fields = proposeFields(next.schema);
      setTarget((t) => ({ ...t, mode: "new", fields }));
      setRows(rowsForProposal(fields));
    }
  }

  /** Creates (or reuses, when created before from the same input) one resource. */
  async function once(kind: string, input: unknown, make: () => Promise<string>): Promise<string> {
    const key = JSON.stringify(input);
    const previous = created.current.get(kind);
    if (previous && previous.key === key) return previous.id;
    const id = await make();
    created.current.set(kind, { key, id });
    return id;
  }

  async function create() {
    const labels = ["Source connection", "Dataset", "Target connection", "Mapping set", "Dataflow"];
    const state: Progress = labels.map((l) => ({ label: l, state: "waiting" }));
    const mark = (i: number, s: Progress[number]["state"], detail?: string) => {
      state[i] = { label: labels[i] as string, state: s, ...(detail ? { detail } : {}) };
      setProgress([...state]);
    };
    setCreating(true);
    setCreateError(undefined);
    setProgress([...state]);
    let index = 0;
    try {
      const specRef = { id: String(spec.id), version: String(spec.version ?? "1.0") };
      mark(0, "running");
      const sourceBody = {
        name: `${flow.name.trim()} source`,
        ...(account?.id ? { baseConnectionId: account.id } : {}),
        connectionSpec: specRef,
        data: { format: "json" },
        params: cleanFormData(params),
      };
      const sourceId = await once(
        "source",
        sourceBody,
        async () => (await api.post<{ id: string }>(fs("/sourceConnections"), sourceBody)).id,
      );
      mark(0, "done", sourceId);

      index = 1;
      mark(1, "running");
      let datasetId: string;
      if (target.mode === "new") {
        const datasetBody = { name: target.name.trim(), schema: datasetSchema(target.fields) };
        datasetId = await once("dataset", datasetBody, async () =>
          catalogId(await api.post(catalog("/dataSets"), datasetBody)),
        );
        mark(1, "done", `created ${datasetId}`);
      } else {
        datasetId = target.existing?.id ?? "";
        mark(1, "skipped", `using ${datasetId}`);
      }

      index = 2;
      mark(2, "running");
      const targetBody = {
        name: `${flow.name.trim()} target`,
        connectionSpec: { id: dataLakeSpecId, version: "1.0" },
        data: { format: "parquet_xdm" },
        params: { dataSetId: datasetId },
      };
      const targetId = await once(
        "target",
        targetBody,
        async () => (await api.post<{ id: string }>(fs("/targetConnections"), targetBody)).id,
      );
      mark(2, "done", targetId);

      index = 3;
      mark(3, "running");
      const mappingBody = mappingSetBody(rows, datasetId);
      let mappingId: string;
      try {
        mappingId = await once(
          "mapping",
          mappingBody,
          async () => (await api.post<{ id: string }>(conversion("/mappingSets"), mappingBody)).id,
        );
      } catch (cause) {
        if (cause instanceof ApiError && cause.problems.length > 0)
          setServerProblems(serverRowProblems(cause.problems));
        throw cause;
      }
      mark(3, "done", mappingId);

      index = 4;
      mark(4, "running");
      const percent = flow.partialIngestionPercent.trim();
      const flowBody = {
        name: flow.name.trim(),
        ...(flow.description.trim() ? { description: flow.description.trim() } : {}),
        flowSpec: { id: restStorageToAepFlowSpecId, version: "1.0" },
        sourceConnectionIds: [sourceId],
        targetConnectionIds: [targetId],
        transformations: [{ name: "Mapping", params: { mappingId, mappingVersion: 0 } }],
        scheduleParams: scheduleParams(flow.schedule),
        options: {
          errorDiagnosticsEnabled: flow.errorDiagnostics,
          ...(percent ? { partialIngestionPercent: Number(percent) } : {}),
        },
      };
      const flowId = await once(
        "flow",
        flowBody,
        async () => (await api.post<{ id: string }>(fs("/flows"), flowBody)).id,
      );
      mark(4, "done", flowId);
      navigate(hrefs.dataflow(flowId));
    } catch (cause) {
      mark(index, "failed", messageOf(cause));
      setCreateError(cause);
      setCreating(false);
    }
  }

  const destinations = destinationsFor(target);
  return (
    <Page
      title={`Set up ${label}`}
      lead={card?.description}
      actions={
        <Link href={hrefs.catalog} className="button">
          Cancel
        </Link>
      }
    >
      <nav aria-label="Wizard steps">
        <ol className="stepper">
          {steps.map((name, i) => (
            <li
              key={name}
              className={i === step ? "current" : i < step ? "done" : undefined}
              aria-current={i === step ? "step" : undefined}
            >
              {i < step && !creating ? (
                <button type="button" className="link" onClick={() => go(i)}>
                  <span className="step-number">{i + 1}</span> {name}
                </button>
              ) : (
                <span>
                  <span className="step-number">{i + 1}</span> {name}
                </span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <h2 className="visually-hidden">
        Step {step + 1} of {steps.length}: {steps[step]}
      </h2>

      {step === 0 ? (
        <AccountStep
          spec={spec}
          label={label}
          account={account}
          onAccount={(a) => {
            setAccount(a);
            go(1);
          }}
        />
      ) : null}
      {step === 1 ? (
        <SelectDataStep
          spec={spec}
          account={account}
          params={params}
          preview={preview}
          onParams={setParams}
          onPreview={onPreview}
          onBack={() => go(0)}
          onNext={() => go(2)}
        />
      ) : null}
      {step === 2 ? (
        <MappingStep
          preview={preview}
          target={target}
          rows={rows}
          serverProblems={serverProblems}
          onTarget={setTarget}
          onRows={(next) => {
            setRows(next);
            setServerProblems([]);
          }}
          onBack={() => go(1)}
          onNext={() => go(3)}
        />
      ) : null}
      {step === 3 ? <ScheduleStep flow={flow} onFlow={setFlow} onBack={() => go(2)} onNext={() => go(4)} /> : null}
      {step === 4 ? (
        <div className="step">
          <section className="card" aria-labelledby="review-title">
            <h2 id="review-title">Review</h2>
            <dl className="summary">
              <dt>Source</dt>
              <dd>{label}</dd>
              <dt>Account</dt>
              <dd>{account?.id ? `${account.name} (${account.authSpecName})` : "None"}</dd>
              <dt>Parameters</dt>
              <dd>
                <code>{JSON.stringify(cleanFormData(params))}</code>
              </dd>
              <dt>Dataset</dt>
              <dd>
                {target.mode === "new"
                  ? `New: ${target.name} (${destinations.length} field${destinations.length === 1 ? "" : "s"})`
                  : `${target.existing?.name} (${target.existing?.id})`}
              </dd>
              <dt>Mapping</dt>
              <dd>
                <ul className="plain">
                  {rows.map((row) => (
                    <li key={`${row.destination}|${row.source}`}>
                      <code>{row.source}</code> → <code>{row.destination}</code>
                      {row.sourceType === "EXPRESSION" ? <span className="tag">expression</span> : null}
                    </li>
                  ))}
                </ul>
              </dd>
              <dt>Dataflow</dt>
              <dd>{flow.name}</dd>
              <dt>Schedule</dt>
              <dd>{describeSchedule(scheduleParams(flow.schedule))}</dd>
              <dt>Errors</dt>
              <dd>
                {flow.errorDiagnostics ? "Failed records kept for diagnosis" : "Failed records not kept"};{" "}
                {flow.partialIngestionPercent.trim()
                  ? `up to ${flow.partialIngestionPercent}% may fail`
                  : "any failed record fails the run"}
              </dd>
            </dl>
          </section>
          {progress ? (
            <section className="card" aria-labelledby="progress-title">
              <h2 id="progress-title">Creating</h2>
              <ol className="progress" aria-live="polite">
                {progress.map((p) => (
                  <li key={p.label} className={p.state}>
                    <span className="progress-state">{p.state}</span> {p.label}
                    {p.detail ? <span className="muted"> — {p.detail}</span> : null}
                  </li>
                ))}
              </ol>
            </section>
          ) : null}
          {createError ? <ErrorNotice error={createError} title="The dataflow was not created" /> : null}
          {serverProblems.length > 0 ? (
            <Notice kind="warning">
              The mapping was refused; its problems are shown at their rows.{" "}
              <button type="button" className="link" onClick={() => go(2)}>
                Back to the mapping
              </button>
            </Notice>
          ) : null}
          <div className="actions wizard-nav">
            <button type="button" onClick={() => go(3)} disabled={creating}>
              Back
            </button>
            <button type="button" className="primary" onClick={() => void create()} disabled={creating}>
              {creating ? "Creating…" : "Create dataflow"}
            </button>
          </div>
        </div>
      ) : null}
    </Page>
  );
}
