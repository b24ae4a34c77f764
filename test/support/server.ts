import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type DatabaseTarget, parseConfig } from "../../src/config.ts";
import type { RunnerSettings } from "../../src/flows/index.ts";
import { type RunningServer, startServer } from "../../src/runtime/start-server.ts";
import type { TokenRole } from "../../src/store/metadata-store.ts";
import { type IssuedToken, issueToken } from "../../src/tenancy/tokens.ts";

export interface TestServer {
  readonly url: string;
  readonly server: RunningServer;
  readonly admin: IssuedToken;
  readonly dataDir: string;
  issueToken(orgId: string, role?: TokenRole, options?: { readonly expiresAt?: Date }): Promise<IssuedToken>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly target?: DatabaseTarget;
  readonly bodyLimit?: number;
  /** The flow runner's settings (clock, poll interval, concurrency, engine HTTP timeouts). */
  readonly runner?: Partial<RunnerSettings>;
  /** An existing data dir (e.g. to restart on the same data); it is then not removed on close. */
  readonly dataDir?: string;
  /** INLET_EGRESS (the default policy lets tests reach their imitation APIs on 127.0.0.1). */
  readonly egress?: string;
}

/** A real server on 127.0.0.1 with a fresh data dir (and the given database, default SQLite). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), "inlet-test-")));
  const env = { INLET_BODY_LIMIT: options.bodyLimit?.toString(), INLET_EGRESS: options.egress };
  const config = { ...parseConfig({ dataDir, port: 0 }, env), ...(options.target ? { database: options.target } : {}) };
  const server = await startServer(config, { logging: false, ...(options.runner ? { runner: options.runner } : {}) });
  const admin = await issueToken(server.store, "TESTORG@AdobeOrg", "admin");
  return {
    url: server.url,
    server,
    admin,
    dataDir,
    issueToken: (orgId, role = "user", tokenOptions) => issueToken(server.store, orgId, role, tokenOptions),
    close: async () => {
      await server.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The Adobe headers for a token; `sandbox` sets x-sandbox-name. */
export function headersFor(token: IssuedToken, sandbox?: string): Record<string, string> {
  return {
    authorization: `Bearer ${token.accessToken}`,
    "x-api-key": token.apiKey,
    "x-gw-ims-org-id": token.orgId,
    ...(sandbox ? { "x-sandbox-name": sandbox } : {}),
  };
}
