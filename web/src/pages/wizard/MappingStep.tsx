/**
 * Step 3: the target dataset (a new one with a schema proposed from the preview, or an existing
 * one) and the mapping editor: source path or expression → dataset field, auto-mapped by name.
 */
import { useEffect, useMemo, useState } from "react";
import { useApp, useLoad } from "../../app-context.tsx";
import { ErrorNotice, Notice } from "../../components/Notice.tsx";
import { catalog } from "../../lib/api.ts";
import {
  autoMap,
  datasetSchema,
  destinationsOf,
  type FieldProblem,
  fieldProblems,
  fieldTypes,
  type MappingRow,
  type ProposedField,
  type RowProblem,
  rowProblems,
  rowsForProposal,
  sourcePaths,
  syncRows,
} from "../../lib/mapping.ts";
import type { ExistingDataset, Json, PreviewData, TargetChoice } from "./types.ts";

export function destinationsFor(target: TargetChoice): string[] {
  if (target.mode === "existing")
    return target.existing ? destinationsOf(target.existing.schema).map((d) => d.path) : [];
  return destinationsOf(datasetSchema(target.fields)).map((d) => d.path);
}

export function MappingStep(props: {
  preview: PreviewData | undefined;
  target: TargetChoice;
  rows: readonly MappingRow[];
  serverProblems: readonly RowProblem[];
  onTarget(target: TargetChoice): void;
  onRows(rows: readonly MappingRow[]): void;
  onBack(): void;
  onNext(): void;
}) {
  const { api, scope } = useApp();
  const { target, rows } = props;
  const sources = useMemo(() => (props.preview ? sourcePaths(props.preview.schema) : []), [props.preview]);
  const destinations = destinationsFor(target);
  const [checked, setChecked] = useState(false);
  const datasets = useLoad(async () => {
    const answer = await api.get<Record<string, Json>>(catalog("/dataSets?limit=100&orderBy=desc:created"));
    return Object.entries(answer ?? {}).map(([id, d]) => ({
      id,
      name: String(d.name ?? id),
      schema: (d.schema ?? {}) as Json,
    }));
  }, [scope]);

  const fieldIssues: FieldProblem[] = target.mode === "new" ? fieldProblems(target.fields) : [];
  const issues: RowProblem[] = [...rowProblems(rows, destinations), ...props.serverProblems];
  const shownIssues = checked ? issues : props.serverProblems;

  function setFields(fields: readonly ProposedField[], renamed?: { from: string; to: string }) {
    const next = { ...target, fields };
    props.onTarget(next);
    let nextRows = rows.map((row) =>
      renamed && row.destination === renamed.from ? { ...row, destination: renamed.to } : row,
    );
    const nextDestinations = destinationsFor(next);
    nextRows = nextRows.filter((row) => row.destination === "" || nextDestinations.includes(row.destination));
    for (const field of fields) {
      if (field.include && field.source && !nextRows.some((row) => row.destination === field.name)) {
        nextRows.push({ sourceType: "ATTRIBUTE", source: field.source, destination: field.name });
      }
    }
    props.onRows(nextRows);
  }

  function chooseExisting(dataset: ExistingDataset | undefined) {
    const next: TargetChoice = { ...target, mode: "existing", existing: dataset };
    props.onTarget(next);
    props.onRows(dataset ? autoMap(sources, destinationsFor(next)) : []);
  }

  function chooseNew() {
    const next: TargetChoice = { ...target, mode: "new" };
    props.onTarget(next);
    props.onRows(rowsForProposal(next.fields));
  }

  function updateRow(index: number, change: Partial<MappingRow>) {
    props.onRows(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  }

  const problemsOf = (index: number, field: RowProblem["field"]) =>
    shownIssues.filter((p) => p.row === index && (p.field === field || (field === "source" && p.field === "row")));

  // A first visit with a preview and no rows yet: map by name.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only on entering the step
  useEffect(() => {
    if (rows.length === 0 && destinations.length > 0) props.onRows(syncRows([], sources, destinations));
  }, []);

  return (
    <div className="step">
      <section className="card" aria-labelledby="dataset-title">
        <h2 id="dataset-title">Target dataset</h2>
        <fieldset className="inline-choices">
          <legend className="visually-hidden">Dataset</legend>
          <label className="choice">
            <input type="radio" name="dataset-mode" checked={target.mode === "new"} onChange={chooseNew} />
            <span>New dataset</span>
          </label>
          <label className="choice">
            <input
              type="radio"
              name="dataset-mode"
              checked={target.mode === "existing"}
              onChange={() => chooseExisting(target.existing)}
            />
            <span>Existing dataset</span>
          </label>
        </fieldset>

        {target.mode === "new" ? (
          <>
            <div className="field narrow">
              <label htmlFor="dataset-name">Dataset name</label>
              <input
                id="dataset-name"
                value={target.name}
                onChange={(e) => props.onTarget({ ...target, name: e.target.value })}
              />
            </div>
            <p className="help">
              Fields proposed from the preview; untick what you do not want, rename or retype the rest.
            </p>
            <div className="table-wrap">
              <table className="fields">
                <caption className="visually-hidden">Dataset fields</caption>
                <thead>
                  <tr>
                    <th scope="col">Include</th>
                    <th scope="col">Field name</th>
                    <th scope="col">Type</th>
                    <th scope="col">From</th>
                  </tr>
                </thead>
                <tbody>
                  {target.fields.map((field, index) => {
                    const problem = fieldIssues.find((p) => p.index === index);
                    const update = (change: Partial<ProposedField>) =>
                      setFields(
                        target.fields.map((f, i) => (i === index ? { ...f, ...change } : f)),
                        change.name !== undefined ? { from: field.name, to: change.name } : undefined,
                      );
                    return (
                      // biome-ignore lint/suspicious/noArrayIndexKey: fields are edited in place, the name changes
                      <tr key={index}>
                        <td>
                          <input
                            type="checkbox"
                            checked={field.include}
                            aria-label={`Include field ${index + 1}`}
                            onChange={(e) => update({ include: e.target.checked })}
                          />
                        </td>
                        <td>
                          <input
                            value={field.name}
                            aria-label={`Name of field ${index + 1}`}
                            aria-invalid={problem ? true : undefined}
                            aria-describedby={problem ? `field-problem-${index}` : undefined}
                            onChange={(e) => update({ name: e.target.value })}
                          />
                          {problem ? (
                            <p className="field-error" id={`field-problem-${index}`}>
                              {problem.message}
                            </p>
                          ) : null}
                        </td>
                        <td>
                          <select
                            value={field.type}
                            aria-label={`Type of field ${index + 1}`}
                            onChange={(e) => update({ type: e.target.value as ProposedField["type"] })}
                          >
                            {fieldTypes.map((t) => (
                              <option key={t} value={t}>
                                {t}
                              </option>
                            ))}
                          </select>
                        </td>
                        <td>
                          <code>{field.source || "—"}</code>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {fieldIssues.some((p) => p.index === -1) ? (
              <p className="field-error">Include at least one field.</p>
            ) : null}
            <div className="actions">
              <button
                type="button"
                onClick={() =>
                  setFields([
                    ...target.fields,
                    { include: true, name: `field_${target.fields.length + 1}`, type: "string", source: "" },
                  ])
                }
              >
                Add field
              </button>
            </div>
          </>
        ) : (
          <div className="field narrow">
            <label htmlFor="dataset-existing">Dataset</label>
            <select
              id="dataset-existing"
              value={target.existing?.id ?? ""}
              onChange={(e) => chooseExisting(datasets.data?.find((d) => d.id === e.target.value))}
            >
              <option value="">Choose a dataset…</option>
              {(datasets.data ?? []).map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} ({d.id})
                </option>
              ))}
            </select>
            {datasets.error ? <ErrorNotice error={datasets.error} title="Could not list the datasets" /> : null}
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="mapping-title">
        <h2 id="mapping-title">Mapping</h2>
        <p className="help">
          A source is a field path (<code>member.email_address</code>, <code>items[0].id</code>) or an expression such
          as <code>lower(trim(member.email_address))</code>. Fields without a mapping stay empty.
        </p>
        <datalist id="source-paths">
          {sources.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <div className="table-wrap">
          <table className="mapping">
            <caption className="visually-hidden">Mappings from source to dataset fields</caption>
            <thead>
              <tr>
                <th scope="col">Source type</th>
                <th scope="col">Source</th>
                <th scope="col">
                  <span className="visually-hidden">to</span>
                </th>
                <th scope="col">Dataset field</th>
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => {
                const sourceProblems = problemsOf(index, "source");
                const destinationProblems = problemsOf(index, "destination");
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place
                  <tr key={index}>
                    <td>
                      <select
                        value={row.sourceType}
                        aria-label={`Source type of mapping ${index + 1}`}
                        onChange={(e) => updateRow(index, { sourceType: e.target.value as MappingRow["sourceType"] })}
                      >
                        <option value="ATTRIBUTE">Field</option>
                        <option value="EXPRESSION">Expression</option>
                      </select>
                    </td>
                    <td className="wide">
                      <input
                        value={row.source}
                        list={row.sourceType === "ATTRIBUTE" ? "source-paths" : undefined}
                        spellCheck={false}
                        className="mono"
                        placeholder={
                          row.sourceType === "ATTRIBUTE" ? "member.email_address" : "lower(member.email_address)"
                        }
                        aria-label={`Source of mapping ${index + 1}`}
                        aria-invalid={sourceProblems.length > 0 ? true : undefined}
                        aria-describedby={sourceProblems.length > 0 ? `row-source-${index}` : undefined}
                        onChange={(e) => updateRow(index, { source: e.target.value })}
                      />
                      {sourceProblems.length > 0 ? (
                        <p className="field-error" id={`row-source-${index}`}>
                          {sourceProblems.map((p) => p.message).join(" ")}
                        </p>
                      ) : null}
                    </td>
                    <td aria-hidden="true" className="arrow">
                      →
                    </td>
                    <td>
                      <select
                        value={row.destination}
                        aria-label={`Dataset field of mapping ${index + 1}`}
                        aria-invalid={destinationProblems.length > 0 ? true : undefined}
                        aria-describedby={destinationProblems.length > 0 ? `row-destination-${index}` : undefined}
                        onChange={(e) => updateRow(index, { destination: e.target.value })}
                      >
                        <option value="">Choose…</option>
                        {destinations.map((d) => (
                          <option key={d} value={d}>
                            {d}
                          </option>
                        ))}
                      </select>
                      {destinationProblems.length > 0 ? (
                        <p className="field-error" id={`row-destination-${index}`}>
                          {destinationProblems.map((p) => p.message).join(" ")}
                        </p>
                      ) : null}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="small"
                        onClick={() => props.onRows(rows.filter((_, i) => i !== index))}
                        aria-label={`Remove mapping ${index + 1}`}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {rows.length === 0 ? <p className="muted">No mappings yet.</p> : null}
        <div className="actions">
          <button
            type="button"
            onClick={() => props.onRows([...rows, { sourceType: "ATTRIBUTE", source: "", destination: "" }])}
          >
            Add mapping
          </button>
          <button
            type="button"
            onClick={() => props.onRows(syncRows(rows, sources, destinations))}
            disabled={destinations.length === 0}
          >
            Auto-map by name
          </button>
        </div>
        {checked && issues.some((p) => p.row === -1) ? <p className="field-error">Add at least one mapping.</p> : null}
        {props.serverProblems.some((p) => p.row === -1) ? (
          <ErrorNotice
            error={
              new Error(
                props.serverProblems
                  .filter((p) => p.row === -1)
                  .map((p) => p.message)
                  .join(" "),
              )
            }
            title="The mapping was refused"
          />
        ) : null}
      </section>

      {checked && target.mode === "new" && target.name.trim() === "" ? (
        <Notice kind="error">Name the new dataset.</Notice>
      ) : null}
      {checked && target.mode === "existing" && !target.existing ? (
        <Notice kind="error">Choose a dataset.</Notice>
      ) : null}
      {checked && (issues.length > 0 || fieldIssues.length > 0) ? (
        <Notice kind="error">Fix the problems shown above to continue.</Notice>
      ) : null}
      <div className="actions wizard-nav">
        <button type="button" onClick={props.onBack}>
          Back
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => {
            setChecked(true);
            const dataset = target.mode === "new" ? target.name.trim() !== "" : target.existing !== undefined;
            if (dataset && fieldIssues.length === 0 && rowProblems(rows, destinations).length === 0) props.onNext();
          }}
        >
          Next: schedule
        </button>
      </div>
    </div>
  );
}
