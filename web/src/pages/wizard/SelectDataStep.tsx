/** Step 2: the source's parameters (sourceSpec.spec form), then a live preview from explore. */
import { useRef, useState } from "react";
import { useApp } from "../../app-context.tsx";
import { ErrorNotice, Notice } from "../../components/Notice.tsx";
import { PreviewTable } from "../../components/PreviewTable.tsx";
import { SchemaForm, type SchemaFormHandle } from "../../components/SchemaForm.tsx";
import { base64Json, fs } from "../../lib/api.ts";
import { inferSchema, leaves } from "../../lib/fields.ts";
import { cleanFormData, hasNoFields, sourceParamsSchema } from "../../lib/forms.ts";
import type { Account, Json, PreviewData } from "./types.ts";

export function SelectDataStep(props: {
  spec: Json;
  account: Account | undefined;
  params: Json;
  preview: PreviewData | undefined;
  onParams(params: Json): void;
  onPreview(preview: PreviewData | undefined): void;
  onBack(): void;
  onNext(): void;
}) {
  const { api } = useApp();
  const schema = sourceParamsSchema(props.spec);
  const form = useRef<SchemaFormHandle>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [needPreview, setNeedPreview] = useState(false);

  async function preview() {
    if (form.current && !form.current.validateForm()) return;
    if (!props.account?.id) return;
    setBusy(true);
    setError(undefined);
    setNeedPreview(false);
    try {
      const sourceParams = base64Json(cleanFormData(props.params));
      const answer = await api.get<Json>(
        fs(
          `/connections/${encodeURIComponent(props.account.id)}/explore?objectType=rest&object=json&fileType=json&preview=true&sourceParams=${encodeURIComponent(sourceParams)}`,
        ),
      );
      const data = Array.isArray(answer.data) ? (answer.data as Json[]) : [];
      const explored = answer.schema && typeof answer.schema === "object" ? (answer.schema as Json) : undefined;
      props.onPreview({ schema: explored && leaves(explored).length > 0 ? explored : inferSchema(data), data });
    } catch (cause) {
      setError(cause);
      props.onPreview(undefined);
    } finally {
      setBusy(false);
    }
  }

  const canPreview = Boolean(props.account?.id);
  return (
    <div className="step">
      <section className="card" aria-labelledby="params-title">
        <h2 id="params-title">Source parameters</h2>
        {hasNoFields(schema) ? (
          <p className="muted">This source takes no parameters.</p>
        ) : (
          <SchemaForm
            ref={form}
            idPrefix="params"
            schema={schema}
            formData={props.params}
            onChange={(next) => {
              props.onParams(next);
              if (props.preview) props.onPreview(undefined);
            }}
            onSubmit={() => void preview()}
          />
        )}
        <div className="actions">
          <button type="button" className="primary" onClick={() => void preview()} disabled={busy || !canPreview}>
            {busy ? "Loading preview…" : "Preview data"}
          </button>
        </div>
        {!canPreview ? (
          <Notice kind="info">A preview needs an account; this source has none, so continue without one.</Notice>
        ) : null}
        {error ? <ErrorNotice error={error} title="The preview failed" /> : null}
      </section>

      {props.preview ? (
        <section className="card" aria-labelledby="preview-title">
          <h2 id="preview-title">Preview</h2>
          <p className="muted" role="status">
            {props.preview.data.length} record{props.preview.data.length === 1 ? "" : "s"} from the first page,{" "}
            {leaves(props.preview.schema).length} columns inferred.
          </p>
          <PreviewTable schema={props.preview.schema} records={props.preview.data} caption="Preview records" />
        </section>
      ) : null}

      {needPreview ? (
        <Notice kind="warning">Preview the data first: the dataset and mapping are proposed from it.</Notice>
      ) : null}
      <div className="actions wizard-nav">
        <button type="button" onClick={props.onBack}>
          Back
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => {
            if (canPreview && !props.preview) setNeedPreview(true);
            else props.onNext();
          }}
        >
          Next: dataset and mapping
        </button>
      </div>
    </div>
  );
}
