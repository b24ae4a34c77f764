import { describe, expect, it } from "vitest";
import { FlowServiceClient, flowServiceBase } from "./flow-service-client.ts";
import { canonicalJson, formatRegisterResult, registerArtifacts, sameSpec } from "./register.ts";
import type { SourceReport, ValidationReport } from "./types.ts";

const flowSpecId = "6499120c-0b15-42dc-936e-847ea3c24d72";
const token = "secret-token-value";

type Json = Record<string, unknown>;

/** An in-memory Flow Service answering like the real one (spec §2.4), counting writes. */
function fakeFlowService(options: { staleFlowSpecPuts?: number } = {}) {
  const specs = new Map<string, { doc: Json; etag: number }>();
  const flowSpec = {
    doc: {
      id: flowSpecId,
      name: "RestStorageToAEP",
      version: "1.0",
      sourceConnectionSpecIds: ["4e98f16f-87d6-4ef0-bdc6-7a2b0fe76e62"],
    } as Json,
    etag: 1,
  };
  let stale = options.staleFlowSpecPuts ?? 0;
  const calls: string[] = [];
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const present = (doc: Json, etag: number) => ({
    ...doc,
    createdAt: 1,
    updatedAt: etag,
    imsOrgId: "O@AdobeOrg",
    etag: `"${etag}"`,
  });
  const notFound = (id: string) =>
    json(404, {
      type: "https://ns.adobe.com/aep/errors/FLOW-1101-404",
      title: "Resource not found",
      status: 404,
      report: { "detailed-message": `The requested connectionSpecs resource ${id} is not found.` },
    });
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    const headers = new Headers(init?.headers);
    calls.push(`${method} ${url.pathname.replace("/data/foundation/flowservice", "")}`);
    if (headers.get("authorization") !== `Bearer ${token}`) {
      return json(401, { error_code: "401013", message: "Oauth token is not valid" });
    }
    const body = init?.body ? (JSON.parse(String(init.body)) as Json) : undefined;
    const specMatch = /\/connectionSpecs(?:\/([^/]+))?$/.exec(url.pathname);
    if (specMatch) {
      const id = specMatch[1] ?? (body?.id as string);
      const existing = specs.get(id);
      if (method === "GET")
        return existing ? json(200, { items: [present(existing.doc, existing.etag)] }) : notFound(id);
      if (method === "POST") {
        if (existing) return json(400, { title: "Bad request", report: { "detailed-message": "exists already" } });
        specs.set(id, { doc: { ...body, createdBy: "someone" }, etag: 1 });
        return json(201, present(specs.get(id)?.doc ?? {}, 1));
      }
      if (method === "PUT") {
        if (!existing) return notFound(id);
        if (headers.get("if-match") !== `"${existing.etag}"`) return json(412, { title: "Version not matching" });
        existing.doc = { ...body };
        existing.etag += 1;
        return json(200, present(existing.doc, existing.etag));
      }
    }
    if (url.pathname.endsWith(`/flowSpecs/${flowSpecId}`)) {
      if (method === "GET") return json(200, { items: [present(flowSpec.doc, flowSpec.etag)] });
      if (stale > 0) {
        stale -= 1;
        flowSpec.etag += 1; // someone else updated it meanwhile
        return json(412, {
          type: "https://ns.adobe.com/aep/errors/FLOW-1404-412",
          title: "Version not matching",
          status: 412,
        });
      }
      if (headers.get("if-match") !== `"${flowSpec.etag}"`) return json(412, { title: "Version not matching" });
      for (const field of ["createdAt", "updatedAt", "imsOrgId", "etag"]) {
        if (body && field in body) return json(400, { title: `server field ${field} sent back` });
      }
      flowSpec.doc = { ...body, id: flowSpecId };
      flowSpec.etag += 1;
      return json(200, present(flowSpec.doc, flowSpec.etag));
    }
    return json(404, { title: "no route" });
  }) as typeof fetch;
  return { fetchImpl, specs, flowSpec, calls, writes: () => calls.filter((c) => !c.startsWith("GET")) };
}

const spec = (id: string, name = "A source"): Json => ({
  id,
  name,
  type: "generic-rest",
  version: "1.0",
  authSpec: [],
});
const source = (name: string, doc?: Json, problems: SourceReport["problems"] = []): SourceReport => ({
  source: name,
  dir: `/x/${name}/Artifacts`,
  problems,
  ...(doc ? { spec: doc } : {}),
});
const report = (...sources: SourceReport[]): ValidationReport => ({
  root: "/x",
  sources,
  errors: sources.flatMap((s) => s.problems).filter((p) => p.severity === "error").length,
  warnings: 0,
});
const idA = "11111111-1111-4111-8111-111111111111";
const idB = "22222222-2222-4222-8222-222222222222";

function client(fake: ReturnType<typeof fakeFlowService>, accessToken = token) {
  return new FlowServiceClient({
    server: "http://inlet.test:8080/",
    token: accessToken,
    apiKey: "key",
    org: "O@AdobeOrg",
    fetch: fake.fetchImpl,
  });
}

describe("registerArtifacts", () => {
  it("creates, appends, and on a second run only reads", async () => {
    const fake = fakeFlowService();
    const input = report(source("a", spec(idA)), source("b", spec(idB)));
    const first = await registerArtifacts(input, client(fake));
    expect(first.map(formatRegisterResult)).toEqual([
      `a: connection spec ${idA} created; flow spec appended`,
      `b: connection spec ${idB} created; flow spec appended`,
    ]);
    expect(fake.writes()).toEqual(["POST /connectionSpecs", "POST /connectionSpecs", `PUT /flowSpecs/${flowSpecId}`]);

    fake.calls.length = 0;
    const second = await registerArtifacts(input, client(fake));
    expect(second.map(formatRegisterResult)).toEqual([
      `a: connection spec ${idA} unchanged; flow spec already listed`,
      `b: connection spec ${idB} unchanged; flow spec already listed`,
    ]);
    expect(fake.writes()).toEqual([]);
    const ids = fake.flowSpec.doc.sourceConnectionSpecIds as string[];
    expect(ids.filter((id) => id === idA)).toHaveLength(1);
    expect(ids[0]).toBe("4e98f16f-87d6-4ef0-bdc6-7a2b0fe76e62");
  });

  it("PUTs a changed spec with If-Match, ignoring server fields when comparing", async () => {
    const fake = fakeFlowService();
    await registerArtifacts(report(source("a", spec(idA))), client(fake));
    fake.calls.length = 0;
    const results = await registerArtifacts(report(source("a", spec(idA, "Renamed"))), client(fake));
    expect(results.map(formatRegisterResult)).toEqual([`a: connection spec ${idA} updated; flow spec already listed`]);
    expect(fake.writes()).toEqual([`PUT /connectionSpecs/${idA}`]);
    expect(fake.specs.get(idA)?.doc.name).toBe("Renamed");
  });

  it("treats a different version as a change (version is a real field of a connection spec)", () => {
    expect(sameSpec({ ...spec(idA), etag: '"9"', createdAt: 5 }, spec(idA))).toBe(true);
    expect(sameSpec({ ...spec(idA), version: "2.0" }, spec(idA))).toBe(false);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });

  it("retries the flow spec PUT once on 412 with the fresh etag", async () => {
    const fake = fakeFlowService({ staleFlowSpecPuts: 1 });
    const results = await registerArtifacts(report(source("a", spec(idA))), client(fake));
    expect(results[0]?.flowSpec).toBe("appended");
    expect(fake.calls.filter((c) => c.includes("flowSpecs"))).toEqual([
      `GET /flowSpecs/${flowSpecId}`,
      `PUT /flowSpecs/${flowSpecId}`,
      `GET /flowSpecs/${flowSpecId}`,
      `PUT /flowSpecs/${flowSpecId}`,
    ]);
  });

  it("gives up after a second 412 and says so", async () => {
    const fake = fakeFlowService({ staleFlowSpecPuts: 2 });
    const [result] = await registerArtifacts(report(source("a", spec(idA))), client(fake));
    expect(result?.spec).toBe("created");
    expect(result?.error).toBe(`PUT flow spec ${flowSpecId}: HTTP 412 FLOW-1404-412 Version not matching`);
    expect(result?.errorKind).toBe("http");
  });

  it("skips sources with validation errors or without an id", async () => {
    const fake = fakeFlowService();
    const results = await registerArtifacts(
      report(
        source("bad", spec(idA), [{ file: "bad-icon.svg", severity: "error", message: "x" }]),
        source("noid", { name: "no id" }),
      ),
      client(fake),
    );
    expect(results.map((r) => r.errorKind)).toEqual(["validation", "validation"]);
    expect(results[1]?.error).toMatch(/no fixed id/);
    expect(fake.calls).toEqual([]);
  });

  it("reports an auth failure with the server's message and never the token", async () => {
    const fake = fakeFlowService();
    const [result] = await registerArtifacts(report(source("a", spec(idA))), client(fake, "wrong-token-value"));
    expect(result?.errorKind).toBe("auth");
    expect(result?.error).toBe(`GET connection spec ${idA}: HTTP 401 401013 Oauth token is not valid`);
    expect(JSON.stringify(result)).not.toContain("wrong-token-value");
  });

  it("reports a network failure without the token", async () => {
    const failing = (async () => {
      throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    }) as unknown as typeof fetch;
    const c = new FlowServiceClient({ server: "http://127.0.0.1:1", token, apiKey: "key", org: "O", fetch: failing });
    const [result] = await registerArtifacts(report(source("a", spec(idA))), c);
    expect(result?.errorKind).toBe("network");
    expect(result?.error).toContain("ECONNREFUSED");
    expect(result?.error).not.toContain(token);
  });
});

describe("flowServiceBase", () => {
  it("appends the Flow Service path unless present", () => {
    expect(flowServiceBase("http://h:1")).toBe("http://h:1/data/foundation/flowservice");
    expect(flowServiceBase("http://h:1/data/foundation/flowservice/")).toBe("http://h:1/data/foundation/flowservice");
    expect(() => flowServiceBase("ftp://h")).toThrow(/http/);
    expect(() => flowServiceBase("http://u:p@h")).toThrow(/credentials/);
  });
});
