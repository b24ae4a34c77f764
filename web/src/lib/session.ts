/**
 * Who the console acts as: the credentials of each organization signed in, the active one and its
 * sandbox. Kept in sessionStorage only (the browser tab's session): never in localStorage, cookies
 * or URLs. Signing out of the last organization clears everything.
 */

export interface Credentials {
  readonly orgId: string;
  readonly accessToken: string;
  readonly apiKey: string;
}

export interface Session {
  readonly credentials: readonly Credentials[];
  readonly orgId: string | undefined;
  readonly sandbox: string;
  /** Sandboxes used per org (there is no API listing them); `prod` always exists. */
  readonly sandboxes: Readonly<Record<string, readonly string[]>>;
}

/** The part of the Web Storage API the session needs (sessionStorage in the browser). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const storageKey = "inlet.console.session";

export const emptySession: Session = { credentials: [], orgId: undefined, sandbox: "prod", sandboxes: {} };

const isString = (value: unknown): value is string => typeof value === "string";

export function loadSession(store: KeyValueStore): Session {
  let raw: unknown;
  try {
    raw = JSON.parse(store.getItem(storageKey) ?? "null");
  } catch {
    return emptySession;
  }
  if (raw === null || typeof raw !== "object") return emptySession;
  const data = raw as Record<string, unknown>;
  const credentials = Array.isArray(data.credentials)
    ? data.credentials.filter(
        (c): c is Credentials =>
          c !== null && typeof c === "object" && isString(c.orgId) && isString(c.accessToken) && isString(c.apiKey),
      )
    : [];
  const orgId =
    isString(data.orgId) && credentials.some((c) => c.orgId === data.orgId) ? data.orgId : credentials[0]?.orgId;
  const sandboxes: Record<string, string[]> = {};
  if (data.sandboxes !== null && typeof data.sandboxes === "object") {
    for (const [org, names] of Object.entries(data.sandboxes as Record<string, unknown>)) {
      if (Array.isArray(names)) sandboxes[org] = names.filter(isString);
    }
  }
  return {
    credentials,
    orgId,
    sandbox: isString(data.sandbox) && data.sandbox !== "" ? data.sandbox : "prod",
    sandboxes,
  };
}

export function saveSession(store: KeyValueStore, session: Session): void {
  if (session.credentials.length === 0) store.removeItem(storageKey);
  else store.setItem(storageKey, JSON.stringify(session));
}

export function activeCredentials(session: Session): Credentials | undefined {
  return session.credentials.find((c) => c.orgId === session.orgId);
}

export function sandboxesOf(session: Session, orgId: string | undefined): string[] {
  const names = orgId ? (session.sandboxes[orgId] ?? []) : [];
  return ["prod", ...names.filter((name) => name !== "prod")];
}

/** Signs in (or replaces) an org's credentials, makes it active in the given sandbox. */
export function signIn(session: Session, credentials: Credentials, sandbox: string): Session {
  const others = session.credentials.filter((c) => c.orgId !== credentials.orgId);
  return selectSandbox({ ...session, credentials: [...others, credentials], orgId: credentials.orgId }, sandbox);
}

export function switchOrg(session: Session, orgId: string): Session {
  if (!session.credentials.some((c) => c.orgId === orgId)) return session;
  return { ...session, orgId, sandbox: "prod" };
}

export function selectSandbox(session: Session, sandbox: string): Session {
  const name = sandbox.trim().toLowerCase() || "prod";
  const org = session.orgId;
  if (!org) return { ...session, sandbox: name };
  const known = session.sandboxes[org] ?? [];
  const sandboxes =
    known.includes(name) || name === "prod" ? session.sandboxes : { ...session.sandboxes, [org]: [...known, name] };
  return { ...session, sandbox: name, sandboxes };
}

/** Signs the active org out; the next signed-in org (if any) becomes active. */
export function signOut(session: Session): Session {
  const credentials = session.credentials.filter((c) => c.orgId !== session.orgId);
  if (credentials.length === 0) return emptySession;
  const { [session.orgId ?? ""]: _gone, ...sandboxes } = session.sandboxes;
  return { credentials, orgId: credentials[0]?.orgId, sandbox: "prod", sandboxes };
}
