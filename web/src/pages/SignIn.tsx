/** Sign-in: an access token, api key and org (and a sandbox), checked against the API, kept for the tab's session. */
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ErrorNotice } from "../components/Notice.tsx";
import { Api, fs } from "../lib/api.ts";
import type { Credentials } from "../lib/session.ts";

export function SignIn(props: { onSignedIn(credentials: Credentials, sandbox: string): void; onCancel?: () => void }) {
  const [accessToken, setAccessToken] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [orgId, setOrgId] = useState("");
  const [sandbox, setSandbox] = useState("prod");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = "Sign in · Inlet";
    heading.current?.focus({ preventScroll: true });
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const credentials = { accessToken: accessToken.trim(), apiKey: apiKey.trim(), orgId: orgId.trim() };
    const name = sandbox.trim().toLowerCase() || "prod";
    const missing = [
      credentials.accessToken ? "" : "access token",
      credentials.apiKey ? "" : "API key",
      credentials.orgId ? "" : "organization ID",
    ].filter(Boolean);
    if (missing.length > 0) {
      setError(new Error(`Enter the ${missing.join(", ")}.`));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      // Any authenticated call checks token, api key, org and sandbox together.
      await new Api({ credentials, sandbox: name }).get(fs("/connectionSpecs?count=true"));
      props.onSignedIn(credentials, name);
    } catch (cause) {
      setError(cause);
      setBusy(false);
    }
  }

  return (
    <main className="signin" id="main">
      <form className="card signin-card" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <div className="brand-large" aria-hidden="true">
          Inlet
        </div>
        <h1 id="signin-title" ref={heading} tabIndex={-1}>
          Sign in to the console
        </h1>
        <p className="muted">
          Use an access token and api key from <code>inlet tokens create --org ORG --json</code>. They are kept in this
          browser tab only, until you sign out or close it.
        </p>
        <div className="field">
          <label htmlFor="signin-token">Access token</label>
          <input
            id="signin-token"
            type="password"
            autoComplete="off"
            required
            value={accessToken}
            onChange={(e) => setAccessToken(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="signin-key">API key</label>
          <input
            id="signin-key"
            type="password"
            autoComplete="off"
            required
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="signin-org">Organization ID</label>
          <input
            id="signin-org"
            type="text"
            autoComplete="off"
            spellCheck={false}
            placeholder="ACME@AdobeOrg"
            required
            value={orgId}
            onChange={(e) => setOrgId(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="signin-sandbox">Sandbox</label>
          <input
            id="signin-sandbox"
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={sandbox}
            onChange={(e) => setSandbox(e.target.value)}
            aria-describedby="signin-sandbox-help"
          />
          <p className="help" id="signin-sandbox-help">
            Every organization has <code>prod</code>; others are made with <code>inlet sandboxes create</code>.
          </p>
        </div>
        {error ? <ErrorNotice error={error} title="Sign-in failed" /> : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
          {props.onCancel ? (
            <button type="button" onClick={props.onCancel}>
              Cancel
            </button>
          ) : null}
        </div>
      </form>
    </main>
  );
}
