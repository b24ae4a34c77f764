/**
 * The console shell: sign-in, the org and sandbox switcher, navigation, and the page for the path.
 * Credentials live in sessionStorage (lib/session.ts), never in the URL.
 */
import { type FormEvent, useCallback, useEffect, useMemo, useState } from "react";
import { AppContext, type AppContextValue, Link } from "./app-context.tsx";
import { ErrorBoundary } from "./components/ErrorBoundary.tsx";
import { ErrorNotice } from "./components/Notice.tsx";
import { Api, fs } from "./lib/api.ts";
import { hrefs, parseRoute, type Route } from "./lib/routes.ts";
import {
  activeCredentials,
  loadSession,
  type Session,
  sandboxesOf,
  saveSession,
  selectSandbox,
  signIn,
  signOut,
  switchOrg,
} from "./lib/session.ts";
import { Catalog } from "./pages/Catalog.tsx";
import { Dataflow } from "./pages/Dataflow.tsx";
import { Dataflows } from "./pages/Dataflows.tsx";
import { Playground } from "./pages/Playground.tsx";
import { SignIn } from "./pages/SignIn.tsx";
import { Wizard } from "./pages/Wizard.tsx";

const otherOrg = "__other_org__";
const otherSandbox = "__other_sandbox__";

export function App() {
  const [session, setSession] = useState<Session>(() => loadSession(window.sessionStorage));
  const [path, setPath] = useState(() => window.location.pathname);
  const [addingOrg, setAddingOrg] = useState(false);

  useEffect(() => saveSession(window.sessionStorage, session), [session]);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const navigate = useCallback((href: string) => {
    const url = new URL(href, window.location.href);
    if (url.pathname !== window.location.pathname) window.history.pushState(null, "", url.pathname);
    setPath(url.pathname);
    window.scrollTo(0, 0);
  }, []);

  const credentials = activeCredentials(session);
  const context = useMemo<AppContextValue | undefined>(
    () =>
      credentials
        ? {
            api: new Api({ credentials, sandbox: session.sandbox }),
            scope: `${credentials.orgId}/${session.sandbox}`,
            navigate,
          }
        : undefined,
    [credentials, session.sandbox, navigate],
  );

  if (!context || addingOrg) {
    return (
      <SignIn
        onSignedIn={(c, sandbox) => {
          setSession((s) => signIn(s, c, sandbox));
          setAddingOrg(false);
        }}
        onCancel={context ? () => setAddingOrg(false) : undefined}
      />
    );
  }

  const route = parseRoute(path);
  return (
    <AppContext.Provider value={context}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Inlet</span>
        <nav aria-label="Main">
          <ul>
            <NavItem href={hrefs.catalog} current={route.name === "catalog" || route.name === "wizard"}>
              Sources
            </NavItem>
            <NavItem href={hrefs.dataflows} current={route.name === "dataflows" || route.name === "dataflow"}>
              Dataflows
            </NavItem>
            <NavItem href={hrefs.playground} current={route.name === "playground"}>
              Spec playground
            </NavItem>
          </ul>
        </nav>
        <ScopeSwitcher
          session={session}
          onOrg={(orgId) => (orgId === otherOrg ? setAddingOrg(true) : setSession((s) => switchOrg(s, orgId)))}
          onSandbox={(name) => setSession((s) => selectSandbox(s, name))}
          onSignOut={() => {
            setSession((s) => signOut(s));
            navigate(hrefs.catalog);
          }}
        />
      </header>
      <main id="main">
        <ErrorBoundary key={`${context.scope}|${path}`}>
          <PageFor route={route} />
        </ErrorBoundary>
      </main>
    </AppContext.Provider>
  );
}

function NavItem(props: { href: string; current: boolean; children: string }) {
  return (
    <li>
      <Link
        href={props.href}
        className={props.current ? "current" : undefined}
        aria-current={props.current ? "page" : undefined}
      >
        {props.children}
      </Link>
    </li>
  );
}

function PageFor(props: { route: Route }) {
  const { route } = props;
  switch (route.name) {
    case "catalog":
      return <Catalog />;
    case "wizard":
      return <Wizard specId={route.specId} />;
    case "dataflows":
      return <Dataflows />;
    case "dataflow":
      return <Dataflow id={route.id} />;
    case "playground":
      return <Playground />;
    default:
      return (
        <section className="page">
          <h1>Page not found</h1>
          <p>
            Nothing at <code>{route.path}</code>. Go to the <Link href={hrefs.catalog}>sources</Link>.
          </p>
        </section>
      );
  }
}

/** The active org and sandbox; another org signs in with its own token, another sandbox is checked before use. */
function ScopeSwitcher(props: {
  session: Session;
  onOrg(orgId: string): void;
  onSandbox(name: string): void;
  onSignOut(): void;
}) {
  const { session } = props;
  const [askSandbox, setAskSandbox] = useState(false);
  const [name, setName] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const credentials = activeCredentials(session);

  async function trySandbox(event: FormEvent) {
    event.preventDefault();
    if (!credentials) return;
    const wanted = name.trim().toLowerCase();
    if (wanted === "") return;
    setBusy(true);
    setError(undefined);
    try {
      await new Api({ credentials, sandbox: wanted }).get(fs("/connectionSpecs?count=true"));
      props.onSandbox(wanted);
      setAskSandbox(false);
      setName("");
    } catch (cause) {
      setError(cause);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="scope">
      <label>
        <span>Organization</span>
        <select value={session.orgId} onChange={(e) => props.onOrg(e.target.value)}>
          {session.credentials.map((c) => (
            <option key={c.orgId} value={c.orgId}>
              {c.orgId}
            </option>
          ))}
          <option value={otherOrg}>Sign in to another…</option>
        </select>
      </label>
      <label>
        <span>Sandbox</span>
        <select
          value={askSandbox ? otherSandbox : session.sandbox}
          onChange={(e) => {
            if (e.target.value === otherSandbox) setAskSandbox(true);
            else {
              setAskSandbox(false);
              props.onSandbox(e.target.value);
            }
          }}
        >
          {sandboxesOf(session, session.orgId).map((sandbox) => (
            <option key={sandbox} value={sandbox}>
              {sandbox}
            </option>
          ))}
          <option value={otherSandbox}>Other sandbox…</option>
        </select>
      </label>
      <button type="button" className="quiet" onClick={props.onSignOut}>
        Sign out
      </button>
      {askSandbox ? (
        <form className="sandbox-form card" onSubmit={trySandbox} aria-label="Use another sandbox">
          <label htmlFor="other-sandbox">Sandbox name</label>
          <div className="inline">
            <input id="other-sandbox" value={name} onChange={(e) => setName(e.target.value)} spellCheck={false} />
            <button type="submit" className="primary" disabled={busy}>
              Use
            </button>
            <button type="button" onClick={() => setAskSandbox(false)}>
              Cancel
            </button>
          </div>
          {error ? <ErrorNotice error={error} title="Cannot use that sandbox" /> : null}
        </form>
      ) : null}
    </div>
  );
}
