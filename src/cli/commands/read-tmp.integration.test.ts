// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMailchimp } from "../../../test/imitation-apis/mailchimp.ts";
import { type Imitation, sendJson, startImitation } from "../../../test/imitation-apis/server.ts";
import { Command, CommanderError } from "commander";
import { exitCodes, UsageError } from "../context.ts";
import { registerRead } from "./read.ts";
async function main(argv: string[], context: any): Promise<number> {
  let exitCode: number = 0;
  const ctx = { ...context, setExitCode: (c: number) => { exitCode = c; } };
  const program = new Command("inlet").exitOverride().configureOutput({ writeOut: (t) => ctx.stdout.write(t), writeErr: (t) => ctx.stderr.write(t) });
  registerRead(program, ctx);
  try { await program.parseAsync([...argv]); } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) { ctx.stderr.write(`inlet: ${error.message}\n`); return exitCodes.badInput; }
    ctx.stderr.write(`inlet: ${error instanceof Error ? error.message : String(error)}\n`); return 1;
  }
  return exitCode;
}

const servers: Imitation[] = [];
let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "inlet-read-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function serve(p: Promise<Imitation>): Promise<Imitation> {
  const s = await p;
  servers.push(s);
  return s;
}

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c: Buffer) => {
    text += c.toString("utf8");
  });
  return { stream, text: () => text };
}

async function inlet(...args: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(["node", "inlet", ...args], { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let specCount = 0;
async function specFile(document: unknown): Promise<string> {
  specCount += 1;
  const path = join(dir, `spec-${specCount}.json`);
  await writeFile(path, typeof document === "string" ? document : JSON.stringify(document));
  return path;
}

function membersSpec(host: string, extra: Record<string, unknown> = {}) {
  return {
    authSpec: [
      {
        name: "Basic Authentication",
        type: "BasicAuthentication",
        spec: { properties: { username: {}, password: { format: "password" } } },
      },
    ],
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
  it("writes every record as JSON Lines and a summary on stderr", async () => {
    const api = await serve(startMailchimp({ members: 25 }));
    const spec = await specFile(membersSpec(api.url));
    const result = await inlet("read", spec, "--auth", auth, "--params", params);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(25);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ member: { id: "m0", email_address: "user0@example.com" } });
    expect(JSON.parse(lines[24] as string)).toMatchObject({ member: { id: "m24" } });
    expect(result.stderr).toMatch(/read 25 records in 3 pages: 3 requests, 0 retries, .* stopped: short-page/);
    expect(result.stderr).not.toContain("key-us6");
  });

  it("writes to --out, reads @file arguments and stops at --max-records", async () => {
    const api = await serve(startMailchimp({ members: 25 }));
    const spec = await specFile(membersSpec(api.url));
    const authFile = join(dir, "auth.json");
    await writeFile(authFile, auth);
    const out = join(dir, "out.jsonl");
    const result = await inlet("read", spec, "--auth", `@${authFile}`, "--params", params, "--max-records", "12", "--out", out);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    const lines = (await readFile(out, "utf8")).trimEnd().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { member: { id: string } }).member.id)).toEqual(
      Array.from({ length: 12 }, (_, i) => `m${i}`),
    );
    expect(result.stderr).toMatch(/stopped: record-limit/);
    expect(api.stats.requests).toBe(2);
  });

  it("sends the window bounds as the standard schedule params", async () => {
    const api = await serve(startMailchimp({ members: 3 }));
    const spec = await specFile(
      membersSpec(api.url, {
        scheduleParams: {
          scheduleStartParamName: "since_last_changed",
          scheduleEndParamName: "before_last_changed",
          scheduleStartParamFormat: "yyyy-MM-ddTHH:mm:ss:fffffffK",
          scheduleEndParamFormat: "yyyy-MM-ddTHH:mm:ssZ",
        },
      }),
    );
    const result = await inlet(
      "read", spec, "--auth", auth, "--params", params,
      "--window-start", "2024-01-02T03:04:05.678Z", "--window-end", "2024-01-03T00:00:00Z",
    );
    expect(result.code).toBe(0);
    const sent = new URL(api.stats.log[0]?.url ?? "", "http://x").searchParams;
    expect(sent.get("since_last_changed")).toBe("2024-01-02T03:04:05:6780000Z");
    expect(sent.get("before_last_changed")).toBe("2024-01-03T00:00:00Z");
  });

  it("--explain prints the first request with the secret redacted and sends nothing", async () => {
    const api = await serve(startMailchimp({ members: 3 }));
    const spec = await specFile(membersSpec(api.url));
    const result = await inlet("read", spec, "--auth", auth, "--params", params, "--explain");
    expect(result.code).toBe(0);
    expect(api.stats.requests).toBe(0);
    const explained = JSON.parse(result.stdout) as { method: string; url: string; headers: Record<string, string> };
    expect(explained.method).toBe("GET");
    expect(explained.url).toBe(`${api.url}/3.0/lists/L1/members?count=10&offset=0`);
    expect(explained.headers.authorization).toBeDefined();
    expect(result.stdout).not.toContain("key-us6");
    expect(result.stdout).not.toContain(Buffer.from("any:key-us6").toString("base64"));
  });

  it.each([
    ["a spec file that is not JSON", async () => [await specFile("{nope"), "--auth", auth], /not valid JSON/],
    ["a missing spec file", async () => [join(dir, "missing.json")], /cannot read the spec file/],
    ["--auth that is not an object", async () => [await specFile({}), "--auth", "[1]"], /--auth must be a JSON object/],
    ["a bad --max-records", async () => [await specFile({}), "--max-records", "0"], /--max-records/],
    ["a bad --window-start", async () => [await specFile({}), "--window-start", "yesterday"], /ISO 8601/],
    ["a window end without a start", async () => [await specFile({}), "--window-end", "2024-01-01T00:00:00Z"], /--window-start is required/],
    ["a spec without urlParams", async () => [await specFile({ sourceSpec: { attributes: {} } })], /spec error: .*urlParams/],
  ])("exits 2 for %s", async (_what, args, message) => {
    const result = await inlet("read", ...(await args()));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("exits 3 when the API rejects the credentials", async () => {
    const api = await serve(startMailchimp({ members: 3 }));
    const spec = await specFile(membersSpec(api.url));
    const wrong = JSON.stringify({ username: "any", password: "wrong-secret" });
    const result = await inlet("read", spec, "--auth", wrong, "--params", params);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/auth error \(status 401\)/);
    expect(result.stderr).toMatch(/stopped: error/);
    expect(result.stderr).not.toContain("wrong-secret");
  });

  it("exits 4 when the API answers a non-retryable failure", async () => {
    const api = await serve(startImitation((_req, res) => sendJson(res, 404, { error: "no such list" })));
    const spec = await specFile(membersSpec(api.url));
    const result = await inlet("read", spec, "--auth", auth, "--params", params);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/upstream error \(status 404\)/);
    expect(result.stdout).toBe("");
  });

  it("exits 4 when the API does not answer JSON", async () => {
    const api = await serve(
      startImitation((_req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>maintenance</html>");
      }),
    );
    const spec = await specFile(membersSpec(api.url));
    const result = await inlet("read", spec, "--auth", auth, "--params", params);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/extraction error/);
  });
});
