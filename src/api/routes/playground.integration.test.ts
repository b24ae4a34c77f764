import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Imitation, startMailchimp, startPagedApi } from "../../../test/imitation-apis/index.ts";
import { headersFor, startTestServer, type TestServer } from "../../../test/support/server.ts";
import { excerpt, playgroundLimits, secretValues } from "./playground.ts";

type Json = Record<string, unknown>;

const examples = new URL("../../../examples/Sources/", import.meta.url);
async function example(name: string): Promise<Json> {
  return JSON.parse(await readFile(new URL(`${name}/Artifacts/${name}-connectionSpec.json`, examples), "utf8")) as Json;
}

describe("the spec playground (POST /inlet/playground/*)", () => {
  let server: TestServer;
  let mailchimp: Imitation;
  let paged: Imitation;
  let members: Json;
  let orders: Json;
  const apiKey = "key-us6-secret";

  beforeAll(async () => {
    server = await startTestServer();
    mailchimp = await startMailchimp({ members: 230, apiKey });
    paged = await startPagedApi({ items: 10, apiKey: "orders-key-123" });
    members = await example("mailchimp-members");
    orders = await example("storefront-orders");
  });

  afterAll(async () => {
    await server?.close();
    await mailchimp?.close();
    await paged?.close();
  });

  async function post(path: string, body: unknown, headers = headersFor(server.admin)) {
    const response = await fetch(`${server.url}/inlet/playground/${path}`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as Json };
  }

  const membersAuth = () => ({ host: mailchimp.url, username: "anyone", password: apiKey });

  describe("lint", () => {
    it("needs the same credentials as the Flow Service", async () => {
      const answer = await post("lint", { spec: members }, {} as ReturnType<typeof headersFor>);
      expect(answer.status).toBe(403);
      expect(answer.body.error_code).toBe("403010");
    });

    it("accepts a user token: linting is not authoring", async () => {
      const user = await server.issueToken(server.admin.orgId, "user");
      const answer = await post("lint", { spec: members }, headersFor(user));
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ valid: true, problems: [] });
    });

    it("reports every problem with its pointer", async () => {
      const broken = structuredClone(members) as { sourceSpec: { attributes: { paginationParams: Json } } };
      broken.sourceSpec.attributes.paginationParams.type = "OFFSETS";
      const answer = await post("lint", { text: JSON.stringify(broken, null, 2) });
      expect(answer.status).toBe(200);
      expect(answer.body.valid).toBe(false);
      expect(answer.body.problems).toContainEqual(
        expect.objectContaining({ pointer: "/sourceSpec/attributes/paginationParams/type", severity: "error" }),
      );
    });

    it("gives the line and column of a JSON syntax error", async () => {
      const answer = await post("lint", { text: '{\n  "name": "x",\n  "type": \n}' });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ valid: false, syntaxError: { line: 4, column: 1 } });
    });

    it("refuses a body with neither text nor spec", async () => {
      const answer = await post("lint", { other: 1 });
      expect(answer.status).toBe(400);
    });
  });

  describe("read", () => {
    it("reads the first pages, shows each request redacted with its records, and why it stopped", async () => {
      const answer = await post("read", {
        spec: members,
        authSpecName: "Basic Authentication",
        auth: membersAuth(),
        params: { listId: "L1" },
        maxPages: 2,
        maxRecords: 100,
      });
      expect(answer.status).toBe(200);
      const body = answer.body as {
        requests: Array<{ url: string; headers: Record<string, string>; status: number; page?: number }>;
        pages: Array<{ page: number; records: number; excerpt: string }>;
        records: unknown[];
        summary: Json;
      };
      expect(body.summary).toMatchObject({
        pages: 1,
        records: 100,
        stopReason: "record-limit",
        limitedBy: "maxRecords",
      });
      expect(body.requests).toHaveLength(1);
      expect(body.requests[0]).toMatchObject({ status: 200, page: 1 });
      expect(body.requests[0]?.url).toContain("/3.0/lists/L1/members");
      expect(body.requests[0]?.headers.authorization).toBe("[REDACTED]");
      expect(body.pages[0]).toMatchObject({ page: 1, records: 100 });
      expect(body.pages[0]?.excerpt).toContain('"email_address": "user0@example.com"');
      expect(body.records).toHaveLength(100);
      // The password appears nowhere, in any spelling.
      expect(answer.text).not.toContain(apiKey);
      expect(answer.text).not.toContain(Buffer.from(`anyone:${apiKey}`).toString("base64"));
    });

    it("stops at the playground's page limit and says so", async () => {
      const small = structuredClone(members) as { sourceSpec: { attributes: { paginationParams: Json } } };
      small.sourceSpec.attributes.paginationParams.limitValue = "10";
      const answer = await post("read", {
        spec: small,
        auth: membersAuth(),
        params: { listId: "L1" },
        maxPages: 3,
        maxRecords: 100,
      });
      expect(answer.body.summary).toMatchObject({
        pages: 3,
        records: 30,
        stopReason: "maximum-request",
        limitedBy: "maxPages",
      });
      expect((answer.body.requests as unknown[]).length).toBe(3);
    });

    it("ends with the spec's own stop reason when the source runs out first", async () => {
      const answer = await post("read", {
        spec: orders,
        auth: { host: paged.url, authKey1: "orders-key-123" },
        maxPages: 5,
        maxRecords: 100,
      });
      expect(answer.body.error).toBeUndefined();
      expect(answer.body.summary).toMatchObject({ records: 10, stopReason: "end-page-index" });
      expect((answer.body.summary as Json).limitedBy).toBeUndefined();
      expect(answer.text).not.toContain("orders-key-123");
    });

    it("takes a stored spec by id, and JSON text", async () => {
      const byText = await post("read", {
        text: JSON.stringify(orders),
        auth: { host: paged.url, authKey1: "orders-key-123" },
        maxPages: 1,
      });
      expect(byText.body.summary).toMatchObject({ pages: 1 });
      const unknown = await post("read", { connectionSpecId: "00000000-0000-4000-8000-000000000000", auth: {} });
      expect(unknown.status).toBe(400);
    });

    it("reports what the source answered when it refuses", async () => {
      const answer = await post("read", {
        spec: members,
        auth: { ...membersAuth(), password: "wrong-key-value" },
        params: { listId: "L1" },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.error).toMatchObject({ kind: "auth", status: 401 });
      expect(answer.body.summary).toMatchObject({ stopReason: "error" });
      expect(answer.text).not.toContain("wrong-key-value");
    });

    it("answers a spec that cannot build its first request without sending anything", async () => {
      const before = mailchimp.stats.requests;
      const answer = await post("read", { spec: members, auth: membersAuth(), params: {} });
      expect(answer.status).toBe(200);
      expect(answer.body.error).toMatchObject({ kind: "params" });
      expect(answer.body.requests).toEqual([]);
      expect(mailchimp.stats.requests).toBe(before);
    });

    it("is bounded: at most 5 pages and 100 records", async () => {
      for (const [field, value] of [
        ["maxPages", playgroundLimits.maxPages + 1],
        ["maxRecords", playgroundLimits.maxRecords + 1],
        ["maxPages", 0],
        ["maxRecords", "10"],
      ] as const) {
        const answer = await post("read", {
          spec: members,
          auth: membersAuth(),
          params: { listId: "L1" },
          [field]: value,
        });
        expect(answer.status, `${field}=${value}`).toBe(400);
      }
    });

    it("sends nothing but http and https", async () => {
      for (const host of ["file:///etc", "ftp://127.0.0.1", "gopher://127.0.0.1:70"]) {
        const answer = await post("read", {
          spec: members,
          auth: { ...membersAuth(), host },
          params: { listId: "L1" },
        });
        expect(answer.status, host).toBe(400);
        expect(String((answer.body.report as Json)["detailed-message"])).toMatch(/not an http or https URL/);
      }
      const literal = structuredClone(members) as { sourceSpec: { attributes: { urlParams: Json } } };
      literal.sourceSpec.attributes.urlParams.host = "ftp://127.0.0.1";
      const before = mailchimp.stats.requests;
      const answer = await post("read", { spec: literal, auth: membersAuth(), params: { listId: "L1" } });
      expect(answer.body.error).toMatchObject({ kind: "spec", message: expect.stringMatching(/http or https/) });
      expect(answer.body.requests).toEqual([]);
      expect(mailchimp.stats.requests).toBe(before);
    });
  });

  describe("test", () => {
    it("is true when the first page answers, false when the source refuses", async () => {
      const good = await post("test", { spec: orders, auth: { host: paged.url, authKey1: "orders-key-123" } });
      expect(good.body).toEqual({ result: true, method: "firstPage" });
      const bad = await post("test", { spec: orders, auth: { host: paged.url, authKey1: "not-the-key" } });
      expect(bad.body).toMatchObject({ result: false, method: "firstPage", status: 403 });
      expect(bad.text).not.toContain("not-the-key");
    });

    it("cannot tell when the first request needs params nobody gave", async () => {
      const answer = await post("test", { spec: members, auth: membersAuth() });
      expect(answer.body).toMatchObject({ result: null, method: "firstPage" });
      expect(String(answer.body.reason)).toMatch(/listId/);
    });

    it("uses authorizationTestUrl when the credentials have one", async () => {
      const answer = await post("test", {
        spec: members,
        auth: { ...membersAuth(), authorizationTestUrl: `${mailchimp.url}/3.0/lists/L1/members?count=1` },
      });
      expect(answer.body).toEqual({ result: true, method: "authorizationTestUrl", status: 200 });
    });
  });
});

describe("playground helpers", () => {
  it("finds secrets by format and by the engine's names, at any depth", () => {
    const schema = {
      properties: {
        host: { type: "string" },
        key: { type: "string", format: "password" },
        nested: { type: "object", properties: { pin: { type: "string", format: "password" } } },
      },
    };
    expect(
      secretValues({ host: "h", key: "k1", clientSecret: "c1", nested: { pin: "p1", other: "o" } }, schema).sort(),
    ).toEqual(["c1", "k1", "p1"]);
  });

  it("cuts excerpts at the byte limit without breaking a character", () => {
    const short = excerpt({ a: 1 }, 100);
    expect(short).toEqual({ text: '{\n  "a": 1\n}', truncated: false });
    const long = excerpt({ text: "é".repeat(100) }, 40);
    expect(long.truncated).toBe(true);
    expect(Buffer.byteLength(long.text)).toBeLessThanOrEqual(44);
    expect(long.text).not.toContain("\uFFFD");
  });
});
