/** Step 1: an account (base connection): reuse one of this source, or fill the authSpec form, test and save. */
import { useRef, useState } from "react";
import { useApp, useLoad } from "../../app-context.tsx";
import { ErrorNotice, Notice } from "../../components/Notice.tsx";
import { SchemaForm, type SchemaFormHandle } from "../../components/SchemaForm.tsx";
import { StateBadge } from "../../components/StateBadge.tsx";
import { fs, inlet } from "../../lib/api.ts";
import { authOptions, cleanFormData, secretFieldNames } from "../../lib/forms.ts";
import { formatTime } from "../../lib/schedule.ts";
import type { Account, Json } from "./types.ts";

const withStop = (text: string | undefined) => (text && !/[.!?]$/.test(text.trim()) ? `${text.trim()}.` : (text ?? ""));

interface TestResult {
  readonly result: boolean | null;
  readonly reason?: string;
  readonly method?: string;
}

export function AccountStep(props: {
  spec: Json;
  label: string;
  account: Account | undefined;
  onAccount(account: Account): void;
}) {
  const { api, scope } = useApp();
  const specId = String(props.spec.id);
  const options = authOptions(props.spec);
  const existing = useLoad(
    () => api.list<Json>(fs(`/connections?property=${encodeURIComponent(`connectionSpec.id==${specId}`)}`)),
    [scope, specId],
  );
  const [authName, setAuthName] = useState(options[0]?.name ?? "");
  const [name, setName] = useState(`${props.label} account`);
  const [description, setDescription] = useState("");
  const [data, setData] = useState<Json>({});
  const [test, setTest] = useState<TestResult | "busy" | undefined>();
  const [testError, setTestError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>();
  const [nameError, setNameError] = useState<string>();
  const form = useRef<SchemaFormHandle>(null);
  const option = options.find((o) => o.name === authName) ?? options[0];
  const accounts = existing.data ?? [];

  if (options.length === 0) {
    return (
      <div className="step">
        <Notice kind="info">This source needs no credentials: there is no account to create.</Notice>
        <div className="actions">
          <button
            type="button"
            className="primary"
            onClick={() => props.onAccount({ id: "", name: "", authSpecName: "" })}
          >
            Continue
          </button>
        </div>
      </div>
    );
  }

  async function runTest() {
    if (!form.current?.validateForm()) return;
    setTest("busy");
    setTestError(undefined);
    try {
      const result = await api.post<TestResult>(inlet("/playground/test"), {
        connectionSpecId: specId,
        authSpecName: option?.name,
        auth: cleanFormData(data),
      });
      setTest(result);
    } catch (cause) {
      setTest(undefined);
      setTestError(cause);
    }
  }

  async function save() {
    const formOk = form.current?.validateForm() ?? false;
    const trimmed = name.trim();
    setNameError(trimmed === "" ? "Give the account a name." : undefined);
    if (!formOk || trimmed === "") return;
    setSaving(true);
    setSaveError(undefined);
    try {
      const created = await api.post<{ id: string }>(fs("/connections"), {
        name: trimmed,
        ...(description.trim() ? { description: description.trim() } : {}),
        connectionSpec: { id: specId, version: String(props.spec.version ?? "1.0") },
        auth: { specName: option?.name, params: cleanFormData(data) },
      });
      props.onAccount({ id: created.id, name: trimmed, authSpecName: option?.name ?? "" });
    } catch (cause) {
      setSaveError(cause);
      setSaving(false);
    }
  }

  const secrets = option ? secretFieldNames(option.schema) : [];
  return (
    <div className="step account-step">
      <section className="card" aria-labelledby="existing-title">
        <h2 id="existing-title">Existing accounts</h2>
        {existing.error ? <ErrorNotice error={existing.error} title="Could not list the accounts" /> : null}
        {existing.loading && !existing.data ? <p className="muted">Loading…</p> : null}
        {!existing.loading && accounts.length === 0 ? (
          <p className="muted">No account of this source yet in this sandbox.</p>
        ) : null}
        {accounts.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Authentication</th>
                  <th scope="col">State</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {accounts.map((account) => {
                  const auth = (account.auth ?? {}) as Json;
                  const id = String(account.id);
                  const chosen = props.account?.id === id;
                  return (
                    <tr key={id} className={chosen ? "selected" : undefined}>
                      <td>{String(account.name ?? id)}</td>
                      <td>{String(auth.specName ?? "")}</td>
                      <td>
                        <StateBadge state={String(account.state ?? "enabled")} />
                      </td>
                      <td>{formatTime(Number(account.createdAt))}</td>
                      <td>
                        <button
                          type="button"
                          onClick={() =>
                            props.onAccount({
                              id,
                              name: String(account.name ?? id),
                              authSpecName: String(auth.specName ?? ""),
                            })
                          }
                        >
                          Use<span className="visually-hidden"> {String(account.name ?? id)}</span>
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

      <section className="card" aria-labelledby="new-title">
        <h2 id="new-title">New account</h2>
        <div className="grid-2">
          <div className="field">
            <label htmlFor="account-name">Account name</label>
            <input
              id="account-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? "account-name-error" : undefined}
            />
            {nameError ? (
              <p className="field-error" id="account-name-error">
                {nameError}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="account-description">Description (optional)</label>
            <input id="account-description" value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
        </div>
        {options.length > 1 ? (
          <fieldset className="auth-types">
            <legend>Authentication</legend>
            {options.map((o) => (
              <label key={o.name} className="choice">
                <input
                  type="radio"
                  name="auth-type"
                  value={o.name}
                  checked={o.name === option?.name}
                  onChange={() => {
                    setAuthName(o.name);
                    setData({});
                    setTest(undefined);
                  }}
                />
                <span>{o.name}</span>
              </label>
            ))}
          </fieldset>
        ) : (
          <p className="muted">Authentication: {option?.name}</p>
        )}
        {option ? (
          <SchemaForm
            key={option.name}
            ref={form}
            idPrefix="auth"
            schema={option.schema}
            formData={data}
            onChange={(next) => {
              setData(next);
              if (test !== "busy") setTest(undefined);
            }}
            onSubmit={() => void save()}
          />
        ) : null}
        {secrets.length > 0 ? (
          <p className="help">Secrets ({secrets.join(", ")}) are stored encrypted and never shown again.</p>
        ) : null}
        <div aria-live="polite">
          {test === "busy" ? <Notice kind="info">Testing the connection…</Notice> : null}
          {test && test !== "busy" && test.result === true ? (
            <Notice kind="success" title="Connection works">
              The source accepted these credentials
              {test.method === "authorizationTestUrl" ? " (authorization test URL)." : " (first page read)."}
            </Notice>
          ) : null}
          {test && test !== "busy" && test.result === false ? (
            <Notice kind="error" title="The source refused the connection">
              {test.reason}
            </Notice>
          ) : null}
          {test && test !== "busy" && test.result === null ? (
            <Notice kind="warning" title="Not tested yet">
              {withStop(test.reason)} The preview in the next step checks the credentials with your parameters.
            </Notice>
          ) : null}
        </div>
        {testError ? <ErrorNotice error={testError} title="The test could not run" /> : null}
        {saveError ? <ErrorNotice error={saveError} title="The account was not saved" /> : null}
        <div className="actions">
          <button type="button" onClick={() => void runTest()} disabled={test === "busy"}>
            Test connection
          </button>
          <button type="button" className="primary" onClick={() => void save()} disabled={saving}>
            {saving ? "Saving…" : "Save account and continue"}
          </button>
        </div>
      </section>
    </div>
  );
}
