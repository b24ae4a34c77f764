// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headersFor, startTestServer, type TestServer } from "../../test/support/server.ts";
import { main } from "../cli/main.ts";

const examples = "examples/Sources";
const exampleIds = {
  "salesforce-contacts": "9b4e1f37-2a6c-4d85-b0e3-7c5a18d2f946",
  "mailchimp-campaign": "c8ce8c8c-37fb-4162-9fbf-c2f181e04a7a",
  "mailchimp-members": "2e8580db-6489-4726-96de-e33f5f60295f",
  "storefront-orders": "3d7f2a91-8c4e-4b0f-a6d5-19e2c7b84f60",
  zendesk: "6a0b6c9e-3f14-4d2b-9a7e-5c81d2e4f703",
} as const;
const flowSpecId = "6499120c-0b15-42dc-936e-847ea3c24d72";

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

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "inlet-artifacts-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("inlet artifacts validate", () => {
  it("passes the examples", async () => {
    const { code, stdout, stderr } = await inlet("artifacts", "validate", examples);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    for (const name of Object.keys(exampleIds)) expect(stdout).toMatch(new RegExp(`^${name} \\(.*\\): ok`, "m"));
    expect(stdout).toMatch(/5 sources checked: 0 errors, 0 warnings \(valid\)/);
  });

  it("accepts a single source folder and an Artifacts folder", async () => {
    expect((await inlet("artifacts", "validate", `${examples}/zendesk`)).code).toBe(0);
    const single = await inlet("artifacts", "validate", `${examples}/zendesk/Artifacts`);
    expect(single.code).toBe(0);
    expect(single.stdout).toMatch(/^zendesk \(/);
  });

  it("prints JSON with --json", async () => {
    const { code, stdout } = await inlet("artifacts", "validate", examples, "--json");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { valid: boolean; sources: { source: string; id: string }[] };
    expect(report.valid).toBe(true);
    expect(Object.fromEntries(report.sources.map((s) => [s.source, s.id]))).toEqual(exampleIds);
  });

  it("exits 2 on a bad path", async () => {
    const missing = await inlet("artifacts", "validate", join(dir, "nope"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
    const empty = await inlet("artifacts", "validate", dir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/holds no \{source\}\/Artifacts\/ folder/);
  });

  it("names each problem of a broken copy and exits 1", async () => {
    const root = join(dir, "Sources");
    await cp(examples, root, { recursive: true });
    const artifacts = join(root, "zendesk", "Artifacts");
    await writeFile(
      join(artifacts, "zendesk-icon.svg"),
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><g></svg>\n',
    );
    await writeFile(join(artifacts, "zendesk-category.txt"), "help desk\n");
    const specFile = join(artifacts, "zendesk-connectionSpec.json");
    const spec = JSON.parse(await readFile(specFile, "utf8")) as {
      sourceSpec: { attributes: { urlParams: { path: string } } };
    };
    spec.sourceSpec.attributes.urlParams.path = "/api/v2/${brandId}/search/export";
    await writeFile(specFile, JSON.stringify(spec, null, 2));
    await writeFile(join(root, "mailchimp-members", "Artifacts", "mailchimp-members-label.txt"), `${"L".repeat(51)}\n`);
    await writeFile(
      join(root, "storefront-orders", "Artifacts", "storefront-orders-connectionSpec.json"),
      '{\n  "id": 1,\n}\n',
    );

    const { code, stdout } = await inlet("artifacts", "validate", root);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^zendesk \(.*\): \d+ errors/m);
    expect(stdout).toMatch(/error {3}zendesk-icon\.svg:1:\d+: not well-formed XML: <\/svg> does not match <g>/);
    expect(stdout).toMatch(/error {3}zendesk-icon\.svg:1:\d+: the event handler onload on <svg> is not allowed/);
    expect(stdout).toMatch(/error {3}zendesk-icon\.svg:1:\d+: <script> is not allowed/);
    expect(stdout).toMatch(/error {3}zendesk-category\.txt: "help desk" is not a known category; did you mean "\w+"\?/);
    expect(stdout).toMatch(
      /error {3}zendesk-connectionSpec\.json \/sourceSpec\/attributes\/urlParams\/path: .*brandId/,
    );
    expect(stdout).toMatch(/error {3}mailchimp-members-label\.txt: the label is 51 characters; at most 50/);
    expect(stdout).toMatch(/error {3}storefront-orders-connectionSpec\.json:3:1: malformed JSON/);
    expect(stdout).toMatch(/^salesforce-contacts \(.*\): ok$/m);
    expect(stdout).toMatch(/5 sources checked: \d+ errors, \d+ warnings? \(invalid\)/);
  });
});

describe("inlet artifacts register", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  async function get(path: string) {
    const response = await fetch(`${server.url}/data/foundation/flowservice${path}`, {
      headers: headersFor(server.admin),
    });
    return { status: response.status, body: (await response.json()) as { items: Record<string, unknown>[] } };
  }

  const register = () =>
    inlet(
      "artifacts",
      "register",
      examples,
      "--server",
      server.url,
      "--token",
      server.admin.accessToken,
      "--api-key",
      server.admin.apiKey,
      "--org",
      server.admin.orgId,
    );

  it("registers the examples once; a second run changes nothing", async () => {
    const first = await register();
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    for (const [name, id] of Object.entries(exampleIds)) {
      expect(first.stdout).toContain(`${name}: connection spec ${id} created; flow spec appended`);
    }
    const etags = async () => {
      const specs = await Promise.all(Object.values(exampleIds).map((id) => get(`/connectionSpecs/${id}`)));
      const flowSpec = await get(`/flowSpecs/${flowSpecId}`);
      return [...specs, flowSpec].map((r) => r.body.items[0]?.etag);
    };
    const before = await etags();

    const second = await register();
    expect(second.code).toBe(0);
    for (const [name, id] of Object.entries(exampleIds)) {
      expect(second.stdout).toContain(`${name}: connection spec ${id} unchanged; flow spec already listed`);
    }
    expect(await etags()).toEqual(before);
    expect(`${first.stdout}${second.stdout}`).not.toContain(server.admin.accessToken);

    const flowSpec = (await get(`/flowSpecs/${flowSpecId}`)).body.items[0] as { sourceConnectionSpecIds: string[] };
    for (const id of Object.values(exampleIds)) {
      expect(flowSpec.sourceConnectionSpecIds.filter((listed) => listed === id)).toHaveLength(1);
    }
    const members = (await get(`/connectionSpecs/${exampleIds["mailchimp-members"]}`)).body.items[0];
    expect(members).toMatchObject({ name: "MailChimp Members source", version: "1.0" });
  });

  it("fails with exit 3 and the server's message on a bad token, without printing it", async () => {
    const { code, stdout } = await inlet(
      "artifacts",
      "register",
      `${examples}/zendesk`,
      "--server",
      server.url,
      "--token",
      "not-a-valid-token",
      "--api-key",
      server.admin.apiKey,
      "--org",
      server.admin.orgId,
    );
    expect(code).toBe(3);
    expect(stdout).toMatch(/^zendesk: GET connection spec .*: HTTP 401/m);
    expect(stdout).not.toContain("not-a-valid-token");
  });
});
