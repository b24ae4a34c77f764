// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
/**
 * "No secret, token or password can reach a log line, an error message or an API response", and
 * none is stored in clear. One server runs in a child process at log level trace with
 * INLET_MASTER_KEY set; an upstream API echoes every credential it receives (headers, decoded
 * Basic credentials, its own URL) in its error bodies. Then:
 * - every response body, every log line and every CLI output (`inlet read`, `inlet verify`) is
 *   searched for every secret, and for any 6-character piece of one (an excerpt cut through a
 *   secret, or a syntax error quoting the body, leaks a piece, not the whole);
 * - the SQLite file (and its WAL) is searched byte by byte for the plaintext secrets.
 * Secrets: Basic passwords (right and wrong), a source param marked password, a KeyBased api
 * key, OAuth client secret and access/refresh tokens (initial and rotated), the Inlet access
 * token and INLET_MASTER_KEY. Records are data, not secrets: a record that carries a credential
 * is written as the source sent it (asserted below, so the distinction is deliberate).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { IssuedToken } from "../../src/tenancy/tokens.ts";
import { type OAuthImitation, startOAuthProvider } from "../imitation-apis/oauth.ts";
import { type Imitation, sendJson, startImitation } from "../imitation-apis/server.ts";
import { oauthItemsSpec } from "../support/connections-upstream.ts";
import { sourceSpec } from "../support/flows-apis.ts";
import { FlowApi, prepareWorkflow, type Reply, registerSpec, waitForRuns } from "../support/flows-workflow.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const script = path.join(root, "test/security/trace-server.ts");

/** Base64url, not hex: a 6-character piece of one must not turn up by chance in ids and etags. */
const secret = (label: string) => `${label}-${randomBytes(30).toString("base64url")}`;
const password = secret("pw");
const wrongPassword = secret("wp");
const listToken = secret("lt");
const apiKey = secret("ak");
const wrongApiKey = secret("wk");
const clientSecret = secret("cs");
const staleAccessToken = secret("at");
const refreshToken = secret("rt");
const masterKey = randomBytes(32).toString("base64");
/** Padding that puts the echoed credentials across the end of the engine's 300-character body excerpt. */
const straddle = 280;

/**
 * Basic or X-Api-Key auth. GET /auth/check; GET /items/{mode}: `ok` (two records), `data` (a
 * record whose id is the decoded Basic credential), `fail-<status>-<pad>` (that status, a text
 * body of `pad` dots then every credential received). Unauthorised requests get a 401 echo.
 */
function startEchoingApi(): Promise<Imitation> {
  return startImitation((req, res, url) => {
    const header = req.headers.authorization ?? "";
    const decoded = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString() : "";
    const key = String(req.headers["x-api-key"] ?? "");
    const echo = `decoded=${decoded} key=${key} authorization=${header} url=${req.url}`;
    if (decoded !== `ana:${password}` && key !== apiKey) return sendJson(res, 401, { error: "unauthorized", echo });
    if (url.pathname === "/auth/check") return sendJson(res, 200, { ok: true });
    // POINTER pages: `loop` points back at itself, `away` at another origin; both echo the query.
    if (url.pathname === "/pages/loop") return sendJson(res, 200, { items: [{ id: 1 }], next: req.url });
    if (url.pathname === "/pages/away")
      return sendJson(res, 200, { items: [{ id: 1 }], next: `http://localhost:1${req.url}` });
    const mode = /^\/items\/(.+)$/.exec(url.pathname)?.[1] ?? "";
    if (mode === "ok") return sendJson(res, 200, { items: [{ id: 1, label: "one" }] });
    if (mode === "data")
      return sendJson(res, 200, {
        items: [
          { id: 1, label: "one" },
          { id: decoded, label: "two" },
        ],
      });
    const failing = /^fail-(\d{3})-(\d+)$/.exec(mode);
    if (!failing) return sendJson(res, 404, { error: "no such mode", echo });
    res.writeHead(Number(failing[1]), { "content-type": "text/plain" });
    res.end(`${".".repeat(Number(failing[2]))}${echo}`);
  });
}

const sourceAttributes = (host: string, pointer = false) => ({
  urlParams: {
    host,
    path: `/${pointer ? "pages" : "items"}/\${mode}`,
    method: "GET",
    queryParams: { token: "${listToken}" },
  },
  contentPath: { path: "$.items", skipAttributes: [], keepAttributes: [] },
  paginationParams: pointer ? { type: "POINTER", pointerPath: "$.next" } : { type: "NONE" },
});
const sourceProperties = {
  mode: { type: "string" },
  listToken: { type: "string", format: "password" },
};

function basicSpec(host: string, name: string, passwordSchema: Record<string, unknown> = {}, pointer = false) {
  return sourceSpec(
    name,
    sourceAttributes(host, pointer),
    [
      {
        name: "Basic Authentication",
        type: "BasicAuthentication",
        spec: {
          $schema: "http://json-schema.org/draft-07/schema#",
          type: "object",
          description: "Basic",
          properties: {
            username: { type: "string" },
            password: { type: "string", format: "password", ...passwordSchema },
            authorizationTestUrl: { type: "string" },
          },
          required: ["username", "password"],
        },
      },
    ],
    sourceProperties,
  );
}

function keySpec(host: string) {
  return sourceSpec(
    "Echoing key source",
    sourceAttributes(host),
    [
      {
        name: "API Key",
        type: "KeyBased",
        spec: {
          $schema: "http://json-schema.org/draft-07/schema#",
          type: "object",
          description: "Key",
          properties: {
            authKey1: { type: "string", format: "password", restAttributes: { headerParamName: "X-Api-Key" } },
          },
          required: ["authKey1"],
        },
      },
    ],
    sourceProperties,
  );
}

const base64Params = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");

describe("secrets never echoed, never logged, never stored in clear", () => {
  let child: ChildProcess;
  let dataDir: string;
  let upstream: Imitation;
  let oauth: OAuthImitation;
  let admin: FlowApi;
  let token: IssuedToken;
  const output: string[] = [];
  /** Every response body and CLI output of the session. */
  const seen: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "inlet-secrets-"));
    upstream = await startEchoingApi();
    oauth = await startOAuthProvider({ clientSecret, initialRefreshToken: refreshToken });
    child = spawn(process.execPath, ["--import", "tsx", script, dataDir], {
      cwd: root,
      env: { ...process.env, INLET_MASTER_KEY: masterKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const ready = new Promise<{ url: string; admin: IssuedToken }>((resolve, reject) => {
      let pending = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        output.push(text);
        pending += text;
        for (const line of pending.split("\n").slice(0, -1))
          if (line.startsWith('{"ready":true')) resolve(JSON.parse(line));
        pending = pending.slice(pending.lastIndexOf("\n") + 1);
      });
      child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
      child.once("exit", (code) => reject(new Error(`trace server exited with ${code}: ${output.join("")}`)));
    });
    const started = await ready;
    token = started.admin;
    admin = new FlowApi(started.url, token);
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await upstream?.close();
    await oauth?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
    const reply = await admin.call(method, route, body, headers);
    seen.push(JSON.stringify(reply.body ?? null));
    return reply;
  }

  /** A body sent as given (not JSON.stringify'd): malformed JSON on purpose. */
  async function raw(method: string, route: string, text: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${admin.url}/data/foundation/flowservice${route}`, {
      method,
      headers: { ...headersOf(token), "content-type": "application/json", ...headers },
      body: text,
    });
    const body = await response.text();
    seen.push(body);
    return { status: response.status, body };
  }

  function headersOf(issued: IssuedToken): Record<string, string> {
    return {
      authorization: `Bearer ${issued.accessToken}`,
      "x-api-key": issued.apiKey,
      "x-gw-ims-org-id": issued.orgId,
    };
  }

  async function inlet(...args: string[]) {
    const streams = [new PassThrough(), new PassThrough()] as const;
    const texts = ["", ""];
    for (const [index, stream] of streams.entries()) {
      stream.on("data", (chunk: Buffer) => {
        texts[index] += chunk.toString("utf8");
      });
    }
    const code = await main(["node", "inlet", ...args], { stdout: streams[0], stderr: streams[1] });
    seen.push(texts.join("\n"));
    return { code, all: texts.join("\n") };
  }

  const expectStatus = (reply: Reply | { status: number; body: unknown }, status: number) =>
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);

  it("keeps every secret out of responses, logs, CLI output and the database file", async () => {
    const host = upstream.url;
    const basicSpecId = await registerSpec(admin, basicSpec(host, "Echoing basic source"));
    const strictSpecId = await registerSpec(admin, basicSpec(host, "Strict basic source", { pattern: "^never$" }));
    const keySpecId = await registerSpec(admin, keySpec(host));
    const oauthSpecId = await registerSpec(admin, oauthItemsSpec("Secrets OAuth source"));
    const basicParams = { username: "ana", password, authorizationTestUrl: `${host}/auth/check` };
    const connection = (specId: string, params: Record<string, unknown>, specName = "Basic Authentication") => ({
      name: "secret holder",
      connectionSpec: { id: specId, version: "1.0" },
      auth: { specName, params },
    });

    // Base connections: accepted, refused upstream (401 echoing the header), invalid, malformed.
    const created = await call("POST", "/connections", connection(basicSpecId, basicParams));
    expectStatus(created, 201);
    const basicId = created.body.id as string;
    expectStatus(
      await call("POST", "/connections", connection(basicSpecId, { ...basicParams, password: wrongPassword })),
      400,
    );
    expectStatus(await call("POST", "/connections", connection(strictSpecId, basicParams)), 400);
    expectStatus(await call("POST", "/connections", connection(basicSpecId, password as never)), 400);
    const text = JSON.stringify(connection(basicSpecId, basicParams));
    for (const broken of [
      text.replace(`"${password}"`, password),
      text.replace(`"${password}"`, `"${password}" x`),
      text.replace(`"${password}"`, `tru${password}`),
      text.slice(0, text.indexOf(password) + password.length),
    ])
      expect((await raw("POST", "/connections", broken)).status).toBe(400);

    // PATCH: a wrong password is tested and refused; a malformed patch is refused.
    const etag = (await call("GET", `/connections/${basicId}`)).body.items[0].etag as string;
    const patch = [{ op: "replace", path: "/auth/params/password", value: wrongPassword }];
    expectStatus(await call("PATCH", `/connections/${basicId}`, patch, { "if-match": etag }), 400);
    const brokenPatch = JSON.stringify(patch).replace(`"${wrongPassword}"`, wrongPassword);
    expect((await raw("PATCH", `/connections/${basicId}`, brokenPatch, { "if-match": etag })).status).toBe(400);

    // Source connection with a password param; explore and test with failing upstream answers.
    const source = await call("POST", "/sourceConnections", {
      name: "secret source",
      baseConnectionId: basicId,
      connectionSpec: { id: basicSpecId, version: "1.0" },
      data: { format: "json" },
      params: { mode: "ok", listToken },
    });
    expectStatus(source, 201);
    const explore = (id: string, mode: string) =>
      call("GET", `/connections/${id}/explore?objectType=rest&sourceParams=${base64Params({ mode, listToken })}`);
    expectStatus(await explore(basicId, "ok"), 200);
    for (const mode of [`fail-500-${straddle}`, "fail-404-0", "fail-401-0", `fail-403-${straddle}`])
      expect([400, 502]).toContain((await explore(basicId, mode)).status);
    expect((await call("GET", `/connections/${basicId}/test`)).body).toEqual({ result: true });

    // KeyBased: the key travels in a header the upstream echoes back.
    const keyed = await call("POST", "/connections", connection(keySpecId, { authKey1: apiKey }, "API Key"));
    expectStatus(keyed, 201);
    expect((await explore(keyed.body.id, `fail-400-${straddle}`)).status).toBe(400);
    const wrongKey = await call("POST", "/connections", connection(keySpecId, { authKey1: wrongApiKey }, "API Key"));
    expect((await explore(wrongKey.body.id, "ok")).status).toBe(400);

    // OAuth: an expired access token is refreshed, the rotated refresh token stored back.
    const oauthConnection = await call(
      "POST",
      "/connections",
      connection(
        oauthSpecId,
        {
          host: oauth.url,
          clientId: "cid",
          clientSecret,
          accessToken: staleAccessToken,
          refreshToken,
          expirationDate: "2001-01-01T00:00:00Z",
          accessTokenUrl: `${oauth.url}/oauth/token`,
        },
        "OAuth2 Refresh Code",
      ),
    );
    expectStatus(oauthConnection, 201);
    expectStatus(await call("GET", `/connections/${oauthConnection.body.id}/explore?sourceParams=e30`), 200);
    oauth.revokeAccessTokens();
    expectStatus(await call("GET", `/connections/${oauthConnection.body.id}/explore?sourceParams=e30`), 200);
    expect(oauth.tokenCalls()).toBe(2);

    // Runs: one fails upstream with an echo; one maps a record that carries a credential (data).
    const once = { startTime: Math.floor(Date.now() / 1000) - 60, frequency: "once" };
    const flows: string[] = [];
    for (const [mode, mappings] of [
      [`fail-500-${straddle}`, undefined],
      ["data", [{ sourceType: "ATTRIBUTE", source: "items.id", destination: "id" }]],
    ] as const) {
      const workflow = await prepareWorkflow(admin, {
        connectionSpecId: basicSpecId,
        auth: { specName: "Basic Authentication", params: { username: "ana", password } },
        sourceParams: { mode, listToken },
        schema: { type: "object", properties: { id: { type: "integer" } } },
        ...(mappings ? { mappings: [...mappings] } : {}),
        scheduleParams: once,
        options: { partialIngestionPercent: 100, errorDiagnosticsEnabled: true },
      });
      flows.push((await admin.ok("POST", "/flows", workflow.flowBody)).body.id);
    }
    const [failedRun] = await waitForRuns(admin, flows[0] as string, 1);
    expect(failedRun.state).toBe("failed");
    const [dataRun] = await waitForRuns(admin, flows[1] as string, 1);
    expect(dataRun.state, JSON.stringify(dataRun.metrics)).toBe("success");
    expect(dataRun.metrics.recordSummary.failedRecordCount).toBe(1);

    // Everything the API shows now.
    for (const route of ["/connections", "/sourceConnections", "/flows", "/runs", "/targetConnections"]) {
      const listed = await call("GET", route);
      for (const item of listed.body.items) await call("GET", `${route}/${item.id}`);
    }
    expect(JSON.stringify((await call("GET", `/connections/${basicId}`)).body)).toContain('"password":"***"');
    const openapi = await fetch(`${admin.url}/openapi.json`);
    seen.push(await openapi.text());

    // The CLI: `inlet read` refused by the source, failing, and given malformed credentials.
    const specFile = path.join(dataDir, "echo-spec.json");
    await writeFile(specFile, JSON.stringify(basicSpec(host, "Echoing basic source (file)")));
    const pointerFile = path.join(dataDir, "pointer-spec.json");
    await writeFile(pointerFile, JSON.stringify(basicSpec(host, "Echoing pointer source", {}, true)));
    const readArgs = (auth: string, mode: string, file = specFile) => [
      "read",
      file,
      "--auth-spec",
      "Basic Authentication",
      "--auth",
      auth,
      "--params",
      JSON.stringify({ mode, listToken }),
    ];
    const wrongAuth = JSON.stringify({ username: "ana", password: wrongPassword });
    expect((await inlet(...readArgs(wrongAuth, "ok"))).code).toBe(3);
    const goodAuth = JSON.stringify({ username: "ana", password });
    expect((await inlet(...readArgs(goodAuth, `fail-404-${straddle}`))).code).toBe(4);
    expect((await inlet(...readArgs(goodAuth.replace(`"${password}"`, password), "ok"))).code).toBe(2);
    expect((await inlet(...readArgs(goodAuth, "ok").slice(0, -1), `{"listToken": ${listToken}}`)).code).toBe(2);
    expect((await inlet(...readArgs(goodAuth, "ok"), "--explain")).code).toBe(0);
    for (const mode of ["loop", "away"]) expect((await inlet(...readArgs(goodAuth, mode, pointerFile))).code).toBe(4);

    // The playground (any user): the same pointer failures and an upstream refusal.
    for (const [mode, auth] of [
      ["loop", { username: "ana", password }],
      ["away", { username: "ana", password }],
      ["ok", { username: "ana", password: wrongPassword }],
    ] as const) {
      const response = await fetch(`${admin.url}/inlet/playground/read`, {
        method: "POST",
        headers: { ...headersOf(token), "content-type": "application/json" },
        body: JSON.stringify({
          spec: basicSpec(host, "Playground pointer", {}, true),
          auth,
          params: { mode, listToken },
          maxPages: 3,
        }),
      });
      const text = await response.text();
      expect(response.status, text).toBe(200);
      seen.push(text);
    }

    // `inlet verify` against the server, refused by the source, and with malformed params.
    const verifyArgs = (auth: string, params: string) => [
      "verify",
      ...["--server", admin.url, "--token", token.accessToken, "--api-key", token.apiKey, "--org", token.orgId],
      ...["--spec", specFile, "--auth-spec", "Basic Authentication", "--auth", auth, "--params", params],
      ...["--poll-interval", "0.1", "--timeout", "20"],
    ];
    expect((await inlet(...verifyArgs(wrongAuth, JSON.stringify({ mode: "ok", listToken })))).code).toBe(1);
    expect((await inlet(...verifyArgs(goodAuth, `{"mode":"ok","listToken":${listToken}}`))).code).toBe(2);

    // Stop the server so every log line is flushed.
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    // The log lines: everything but the harness's own ready line (which hands the test its token).
    const logs = output
      .join("")
      .split("\n")
      .filter((line) => !line.startsWith('{"ready":true'))
      .join("\n");
    expect(logs.split("\n").filter((line) => line.includes('"incoming request"')).length).toBeGreaterThan(40);

    const secrets = {
      password,
      wrongPassword,
      listToken,
      apiKey,
      wrongApiKey,
      clientSecret,
      staleAccessToken,
      refreshToken,
      rotatedRefreshToken1: "rt-1-rotated",
      rotatedAccessToken1: "at-1-fresh",
      rotatedRefreshToken2: "rt-2-rotated",
      rotatedAccessToken2: "at-2-fresh",
      inletAccessToken: token.accessToken,
      masterKey,
      masterKeyHex: Buffer.from(masterKey, "base64").toString("hex"),
      basic: Buffer.from(`ana:${password}`).toString("base64"),
      wrongBasic: Buffer.from(`ana:${wrongPassword}`).toString("base64"),
    };
    const responses = seen.join("\n");
    const leaks: string[] = [];
    for (const [name, secret] of Object.entries(secrets)) {
      for (const [where, text] of [
        ["responses and CLI output", responses],
        ["logs", logs],
      ] as const) {
        // Random secrets are searched piece by piece; the imitation's fixed rotated tokens whole.
        const piece = pieceIn(text, secret, /^(rt|at)-\d-/.test(secret) ? secret.length : 6);
        if (piece !== undefined) leaks.push(`${name} in ${where}: …${context(text, piece)}…`);
      }
    }
    // The Inlet api key identifies a token (Adobe's client id, shown as createdClient); logs never carry it.
    if (logs.includes(token.apiKey)) leaks.push("the Inlet api key in logs");
    expect(leaks).toEqual([]);

    // At rest: the SQLite file and its WAL hold no plaintext secret.
    const files = (await readdir(dataDir)).filter((name) => name.startsWith("inlet.sqlite"));
    expect(files).toContain("inlet.sqlite");
    for (const file of files) {
      const bytes = await readFile(path.join(dataDir, file));
      for (const [name, secret] of Object.entries(secrets)) {
        expect(bytes.includes(Buffer.from(secret, "utf8")), `${name} in ${file}`).toBe(false);
      }
    }
    // INLET_MASTER_KEY was used: no key file was written next to the data.
    expect(await readdir(dataDir)).not.toContain("master.key");

    // Records are data: the record that carried a credential is kept as the source sent it, in
    // the failed-records file of its batch, while the run's errors show it scrubbed.
    const failedFiles = await findFiles(dataDir, "failed-records.jsonl");
    const failedText = (await Promise.all(failedFiles.map((file) => readFile(file, "utf8")))).join("");
    expect(failedText).toContain(`ana:${password}`);
    expect(JSON.stringify(dataRun)).toContain("[REDACTED]");
  });
});

/** The first piece of `secret` (`size` characters, or all of it) that `text` contains. */
function pieceIn(text: string, secret: string, size: number): string | undefined {
  for (let start = 0; start + size <= secret.length; start++) {
    const piece = secret.slice(start, start + size);
    if (text.includes(piece)) return piece;
  }
  return undefined;
}

function context(text: string, piece: string): string {
  const at = text.indexOf(piece);
  return text.slice(Math.max(0, at - 150), at + piece.length + 100);
}

async function findFiles(dir: string, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === name) found.push(path.join(entry.parentPath, entry.name));
  }
  return found;
}
