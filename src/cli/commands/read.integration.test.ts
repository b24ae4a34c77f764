// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
/**
 * `inlet read` end to end against local servers. The command runs through runReadCommand, the
 * same registration `inlet` uses, without loading the CLI's other commands.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  basicAuthSpec,
  imitations,
  oauthAuthSpec,
  sendJson,
  startImitation,
  startMailchimp,
  startOAuthProvider,
  startZendesk,
} from "../../../test/imitation-apis/index.ts";
import type { ReadSummary } from "../../engine/index.ts";
import { createProgress } from "../progress.ts";
import { runReadCommand } from "./read.ts";

const serve = imitations();
let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "inlet-read-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capture(tty = false) {
  const stream = Object.assign(new PassThrough(), { isTTY: tty });
  let text = "";
  stream.on("data", (c: Buffer) => {
    text += c.toString("utf8");
  });
  return { stream, text: () => text };
}

/** `inlet ARGS…`: the exit code and everything written to stdout and stderr. */
async function inlet(...args: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await runReadCommand(args, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let fileCount = 0;
async function file(content: unknown, name = `file-${++fileCount}.json`): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

function membersSpec(host: string, extra: Record<string, unknown> = {}) {
  return {
    authSpec: basicAuthSpec,
    sourceSpec: {
      attributes: {
        urlParams: { host, path: "/3.0/lists/${listId}/members", method: "GET" },
        contentPath: {
          path: "$.members",
          skipAttributes: ["_links", "total_items", "list_id"],
          overrideWrapperAttribute: "member",
        },
        paginationParams: { type: "OFFSET", limitName: "count", limitValue: "10", offSetName: "offset" },
        ...extra,
      },
      spec: { properties: { listId: { type: "string" } } },
    },
  };
}

const auth = JSON.stringify({ username: "any", password: "key-us6" });
const params = JSON.stringify({ listId: "L1" });

describe("inlet read", () => {
  it("writes every record as JSON Lines on stdout and a closing summary on stderr", async () => {
    const api = await serve(startMailchimp({ members: 25 }));
    const result = await inlet("read", await file(membersSpec(api.url)), "--auth", auth, "--params", params);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(25);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ member: { id: "m0", email_address: "user0@example.com" } });
    expect(JSON.parse(lines[24] as string)).toMatchObject({ member: { id: "m24" } });
    expect(result.stderr).toMatch(
      /^read 25 records in 3 pages: 3 requests, 0 retries, [\d.]+ KiB, [\d.]+ s, [\d,]+ records\/s; stopped: short-page\n$/,
    );
    expect(result.stderr).not.toContain("key-us6");
  });

  it("writes to --out, reads @file arguments and stops at --max-records", async () => {
    const api = await serve(startMailchimp({ members: 25 }));
    const out = join(dir, "out.jsonl");
    const result = await inlet(
      "read",
      await file(membersSpec(api.url)),
      "--auth",
      `@${await file(auth)}`,
      "--params",
      `@${await file(params)}`,
      "--max-records",
      "12",
      "--out",
      out,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    const lines = (await readFile(out, "utf8")).trimEnd().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { member: { id: string } }).member.id)).toEqual(
      Array.from({ length: 12 }, (_, i) => `m${i}`),
    );
    expect(result.stderr).toMatch(/read 12 records in 2 pages: 2 requests, .*stopped: record-limit/);
    expect(api.stats.requests).toBe(2);
  });

  it("sends --window-start/--window-end as the standard schedule params", async () => {
    const api = await serve(startMailchimp({ members: 3 }));
    const spec = membersSpec(api.url, {
      scheduleParams: {
        scheduleStartParamName: "since_last_changed",
        scheduleEndParamName: "before_last_changed",
        scheduleStartParamFormat: "yyyy-MM-ddTHH:mm:ss:fffffffK",
        scheduleEndParamFormat: "yyyy-MM-ddTHH:mm:ssZ",
      },
    });
    const result = await inlet(
      "read",
      await file(spec),
      "--auth",
      auth,
      "--params",
      params,
      "--window-start",
      "2024-01-02T03:04:05.678Z",
      "--window-end",
      "2024-01-03T00:00:00Z",
    );
    expect(result.code).toBe(0);
    const sent = new URL(api.stats.log[0]?.url ?? "", "http://x").searchParams;
    expect(sent.get("since_last_changed")).toBe("2024-01-02T03:04:05:6780000Z");
    expect(sent.get("before_last_changed")).toBe("2024-01-03T00:00:00Z");
  });

  it("--backfill renders the ADVANCE backfill expression from the epoch", async () => {
    const api = await serve(startZendesk({ users: 2 }));
    const spec = {
      authSpec: [],
      sourceSpec: {
        attributes: {
          urlParams: {
            host: api.url,
            path: "/api/v2/search/export",
            method: "GET",
            queryParams: { query: "{SCHEDULE_QUERY}", "filter[type]": "user" },
          },
          headerParams: { Authorization: "Bearer ${token}" },
          contentPath: "$.results",
          paginationParams: {
            type: "CONTINUATION_TOKEN",
            continuationTokenPath: "$.meta.after_cursor",
            parameterName: "page[after]",
          },
          scheduleParams: {
            type: "ADVANCE",
            paramFormat: "yyyy-MM-ddTHH:mm:ssK",
            incremental: "updated>{START_TIME} updated<{END_TIME}",
            backfill: "created>{START_TIME} updated<{END_TIME}",
          },
        },
      },
    };
    const result = await inlet(
      "read",
      await file(spec),
      "--params",
      JSON.stringify({ token: "zd-token" }),
      "--backfill",
      "--window-end",
      "2024-05-06T07:08:09Z",
    );
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(new URL(api.stats.log[0]?.url ?? "", "http://x").searchParams.get("query")).toBe(
      "created>1970-01-01T00:00:00Z updated<2024-05-06T07:08:09Z",
    );
  });

  it("--explain prints the first request with the secrets redacted and sends nothing", async () => {
    const api = await serve(startMailchimp({ members: 3 }));
    const result = await inlet(
      "read",
      await file(membersSpec(api.url)),
      "--auth",
      auth,
      "--params",
      params,
      "--explain",
    );
    expect(result.code).toBe(0);
    expect(api.stats.requests).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      method: "GET",
      url: `${api.url}/3.0/lists/L1/members?count=10&offset=0`,
      headers: {
        accept: "application/json",
        "accept-encoding": "gzip, deflate, br",
        "user-agent": "inlet-engine",
        authorization: "[REDACTED]",
      },
    });
    expect(result.stdout).not.toContain(Buffer.from("any:key-us6").toString("base64"));
  });

  it("--explain does not refresh an expired OAuth2 token", async () => {
    const api = await serve(startOAuthProvider());
    const spec = {
      authSpec: oauthAuthSpec,
      sourceSpec: { attributes: { urlParams: { host: api.url, path: "/api/items" }, contentPath: "$.items" } },
    };
    const credentials = {
      accessToken: "at-old-1",
      refreshToken: "rt-0",
      clientId: "cid",
      clientSecret: "csecret-xyz",
      accessTokenUrl: `${api.url}/oauth/token`,
      expirationDate: "2000-01-01T00:00:00Z",
    };
    const result = await inlet("read", await file(spec), "--auth", JSON.stringify(credentials), "--explain");
    expect(result.code).toBe(0);
    expect(api.stats.requests).toBe(0);
    expect(result.stdout).not.toMatch(/at-old-1|rt-0|csecret-xyz/);
  });

  it.each([
    ["a spec file that is not JSON", async () => [await file("{nope"), "--auth", auth], /not valid JSON/],
    ["a missing spec file", async () => [join(dir, "missing.json")], /cannot read the spec file/],
    ["a missing --auth file", async () => [await file({}), "--auth", "@/nonexistent/auth.json"], /cannot read --auth/],
    ["--auth that is not an object", async () => [await file({}), "--auth", "[1]"], /--auth must be a JSON object/],
    ["a bad --max-records", async () => [await file({}), "--max-records", "1.5"], /--max-records/],
    ["a bad --window-start", async () => [await file({}), "--window-start", "yesterday"], /ISO 8601/],
    [
      "a window end without a start",
      async () => [await file({}), "--window-end", "2024-01-01T00:00:00Z"],
      /--window-start is required/,
    ],
    [
      "a window that ends before it starts",
      async () => [await file({}), "--window-start", "2024-02-01T00:00:00Z", "--window-end", "2024-01-01T00:00:00Z"],
      /after --window-end/,
    ],
    [
      "a spec without urlParams",
      async () => [await file({ sourceSpec: { attributes: {} } })],
      /spec error: .*urlParams/,
    ],
    [
      "an unresolved placeholder",
      async () => [await file(membersSpec("http://127.0.0.1:9")), "--auth", auth],
      /params error: .*"listId"/,
    ],
    ["an unknown option", async () => [await file({}), "--nope"], /unknown option/],
  ])("exits 2 for %s", async (_what, args, message) => {
    const result = await inlet("read", ...(await args()));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe("");
  });

  it("exits 3 when the API rejects the credentials, without showing them", async () => {
    const api = await serve(startMailchimp({ members: 3 }));
    const wrong = JSON.stringify({ username: "any", password: "wrong-secret" });
    const result = await inlet("read", await file(membersSpec(api.url)), "--auth", wrong, "--params", params);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/inlet read: auth error \(status 401\): GET .* answered 401/);
    expect(result.stderr).toMatch(/stopped: error/);
    expect(result.stderr).not.toContain("wrong-secret");
  });

  it("exits 4 on a non-retryable upstream failure, a body that is not JSON, or a pagination loop", async () => {
    const notFound = await serve(startImitation((_req, res) => sendJson(res, 404, { error: "no such list" })));
    const looping = await serve(
      startImitation((_req, res) => sendJson(res, 200, { members: Array(10).fill({ id: "same" }), hasMore: true })),
    );
    const html = await serve(
      startImitation((_req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>maintenance</html>");
      }),
    );
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [notFound.url, {}, /upstream error \(status 404\): .*no such list/],
      [html.url, {}, /extraction error \(status 200\): .*is not JSON: <html>maintenance<\/html>/],
      [
        looping.url,
        {
          paginationParams: {
            type: "CONTINUATION_TOKEN",
            continuationTokenPath: "$.members[0].id",
            parameterName: "after",
          },
        },
        /loop error: Pagination loop: the continuation token at \$\.members\[0\]\.id repeated/,
      ],
    ];
    for (const [host, extra, message] of cases) {
      const result = await inlet("read", await file(membersSpec(host, extra)), "--auth", auth, "--params", params);
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(message);
    }
  });

  it("prints a plain line per retry on a non-TTY stderr, and counts them in the summary", async () => {
    const api = await serve(startZendesk({ users: 1, rateLimitedRequests: 1, retryAfter: "0" }));
    const spec = {
      authSpec: [],
      sourceSpec: {
        attributes: {
          urlParams: { host: api.url, path: "/api/v2/search/export", queryParams: "filter[type]=user" },
          headerParams: { Authorization: "Bearer zd-token" },
          contentPath: "$.results",
        },
      },
    };
    const result = await inlet("read", await file(spec));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^retry 1 of http:\/\/127\.0\.0\.1:\d+\/api\/v2\/search\/export\?filter%5Btype%5D=user: .*answered 429.* \(status 429\), waiting 0 ms\n/,
    );
    expect(result.stderr).toMatch(/1 requests, 1 retries, .*stopped: single-page/);
  });

  describe("OAuth2 credentials rotated during the read", () => {
    const oauthSpec = (host: string) => ({
      authSpec: oauthAuthSpec,
      sourceSpec: { attributes: { urlParams: { host, path: "/api/items" }, contentPath: "$.items" } },
    });
    const expired = (host: string) => ({
      accessToken: "at-stale",
      refreshToken: "rt-0",
      clientId: "cid",
      clientSecret: "csecret-xyz",
      accessTokenUrl: `${host}/oauth/token`,
      expirationDate: "2000-01-01T00:00:00Z",
      host,
    });

    it("saves them back into the --auth file, keeping its other fields and mode", async () => {
      const api = await serve(startOAuthProvider());
      const authFile = await file(expired(api.url), "oauth-auth.json");
      const { chmod } = await import("node:fs/promises");
      await chmod(authFile, 0o600);
      const result = await inlet("read", await file(oauthSpec(api.url)), "--auth", `@${authFile}`);
      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd().split("\n")).toHaveLength(5);
      const saved = JSON.parse(await readFile(authFile, "utf8")) as Record<string, unknown>;
      expect(saved).toMatchObject({
        accessToken: "at-1-fresh",
        refreshToken: "rt-1-rotated",
        clientId: "cid",
        host: api.url,
        expirationDate: expect.stringMatching(/^\d{4}-/),
      });
      expect((await stat(authFile)).mode & 0o777).toBe(0o600);
      expect(result.stderr).toContain(`saved the refreshed credentials to ${authFile}`);
      expect(result.stderr).not.toMatch(/at-1-fresh|rt-1-rotated|rt-0|csecret-xyz/);
      // The next run works with the saved file (rt-0 is dead at the provider by now).
      const again = await inlet("read", await file(oauthSpec(api.url)), "--auth", `@${authFile}`);
      expect(again.code).toBe(0);
    });

    it("warns when they cannot be saved because --auth was inline, and exits 3 when the provider refuses", async () => {
      const api = await serve(startOAuthProvider());
      const result = await inlet("read", await file(oauthSpec(api.url)), "--auth", JSON.stringify(expired(api.url)));
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/warning: the token endpoint rotated the refresh token.*--auth @file/);
      expect(result.stderr).not.toMatch(/rt-1-rotated|at-1-fresh/);
      const refused = await inlet(
        "read",
        await file(oauthSpec(api.url)),
        "--auth",
        JSON.stringify({ ...expired(api.url), refreshToken: "rt-unknown" }),
      );
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/auth error \(status 400\): Token refresh at .* failed: .*invalid_grant/);
    });
  });

  it("stops quietly when the reader of stdout goes away (EPIPE)", async () => {
    const api = await serve(startMailchimp({ members: 25 }));
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    const stderr = capture();
    const code = await runReadCommand(["read", await file(membersSpec(api.url)), "--auth", auth, "--params", params], {
      stdout,
      stderr: stderr.stream,
    });
    expect(code).toBe(0);
    expect(stderr.text()).toMatch(/stopped: /);
  });
});

describe("progress display", () => {
  const summary: ReadSummary = {
    pages: 3,
    records: 2500,
    requests: 4,
    retries: 1,
    bytes: 3 * 1024 * 1024,
    stopReason: "short-page",
    durationMs: 2000,
  };

  it("redraws one live line on a TTY (pages, records, rate, retries), then the summary", () => {
    const stderr = capture(true);
    let clock = 0;
    const progress = createProgress(stderr.stream, () => clock);
    progress.onEvent({ type: "request", entry: { kind: "page" } as never });
    clock = 150;
    progress.onEvent({ type: "page", page: 1, records: 1000, bytes: 1024 * 1024 });
    clock = 1000;
    progress.onEvent({ type: "page", page: 2, records: 1500, bytes: 2 * 1024 * 1024 });
    progress.finish(summary);
    const text = stderr.text();
    expect(text).toContain("\r\x1b[2K1 pages, 1,000 records, 6,667 records/s, 0 retries, 1.0 MiB");
    expect(text).toContain("\r\x1b[2K2 pages, 2,500 records, 2,500 records/s, 0 retries, 3.0 MiB");
    expect(
      text.endsWith(
        "\r\x1b[2Kread 2500 records in 3 pages: 4 requests, 1 retries, 3.0 MiB, 2.0 s, 1,250 records/s; stopped: short-page\n",
      ),
    ).toBe(true);
  });

  it("writes plain lines every 5 s when stderr is not a TTY, and no control characters", () => {
    const stderr = capture(false);
    let clock = 0;
    const progress = createProgress(stderr.stream, () => clock);
    clock = 1000;
    progress.onEvent({ type: "page", page: 1, records: 10, bytes: 100 });
    clock = 6000;
    progress.onEvent({ type: "page", page: 2, records: 10, bytes: 100 });
    progress.onEvent({ type: "retry", url: "http://h/x", attempt: 1, waitMs: 20, status: 503, reason: "answered 503" });
    progress.finish(summary);
    expect(stderr.text().split("\n")).toEqual([
      "progress: 2 pages, 20 records, 3 records/s, 0 retries, 200 B",
      "retry 1 of http://h/x: answered 503 (status 503), waiting 20 ms",
      "read 2500 records in 3 pages: 4 requests, 1 retries, 3.0 MiB, 2.0 s, 1,250 records/s; stopped: short-page",
      "",
    ]);
  });
});
