/**
 * Authentication and tenancy of every route, enumerated from the running app (so a route added
 * later is covered, or fails here until it is classified):
 * - every route under /data/foundation and /inlet answers the gateway's 401/403 without valid
 *   credentials, before anything else;
 * - outside those prefixes only read-only public routes exist (docs, health, console files);
 * - every by-id route answers 404 to another org's token and to another sandbox of the same org,
 *   and lists show them nothing;
 * - ids of another org inside bodies and query filters are refused or find nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restStorageToAepFlowSpecId } from "../../src/specs/index.ts";
import type { IssuedToken } from "../../src/tenancy/tokens.ts";
import type { Imitation } from "../imitation-apis/server.ts";
import { dataLakeSpecId, FlowApi, fastRunner } from "../support/flows-workflow.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { storeBackends } from "../support/stores.ts";
import { buildEstate, type Estate, type Route, routesOf, startGuardedRecordsApi } from "./estate.ts";

const apiPrefixes = [
  "/data/foundation/flowservice",
  "/data/foundation/catalog",
  "/data/foundation/conversion",
  "/inlet",
];
const isApiRoute = (route: Route) => apiPrefixes.some((prefix) => route.path.startsWith(`${prefix}/`));
/** Resources every org sees (Adobe's connection and flow specs are global). */
const globalKinds = new Set(["connectionSpecs", "flowSpecs"]);

/** The resource kind a `:id` route addresses: the path segment before `:id`. */
function kindOf(route: Route): string {
  const segments = route.path.split("/");
  return segments[segments.indexOf(":id") - 1] as string;
}

/** A body a route would accept in shape, so a refusal is about tenancy, not the body. */
function bodyFor(route: Route): unknown {
  if (route.method === "PATCH") return [{ op: "replace", path: "/name", value: "renamed by another tenant" }];
  if (route.method === "POST" || route.method === "PUT") return {};
  return undefined;
}

describe.each(storeBackends())("routes: authentication and tenancy ($name)", (backend) => {
  let server: TestServer;
  let cleanup: () => Promise<void>;
  let upstream: Imitation;
  let routes: Route[];
  let estate: Estate;
  let owner: FlowApi;
  let stranger: FlowApi;
  let strangerAdmin: FlowApi;
  let devSandbox: FlowApi;
  let strangerToken: IssuedToken;
  const password = `pw-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    const database = await backend.target();
    cleanup = database.cleanup;
    server = await startTestServer({ target: database.target, runner: fastRunner });
    upstream = await startGuardedRecordsApi(password);
    const admin = new FlowApi(server.url, server.admin);
    owner = admin.as(await server.issueToken(server.admin.orgId, "user"));
    strangerToken = await server.issueToken("STRANGER@AdobeOrg", "user");
    stranger = admin.as(strangerToken);
    strangerAdmin = admin.as(await server.issueToken("STRANGER@AdobeOrg", "admin"));
    await server.server.store.createSandbox(server.admin.orgId, "dev");
    devSandbox = owner.as(owner.token, "dev");
    estate = await buildEstate(admin, owner, upstream.url, password);
    routes = routesOf(server.server.app.printRoutes({ commonPrefix: false }));
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
    await cleanup?.();
  });

  async function send(route: Route, path: string, headers: Record<string, string>, body?: unknown) {
    const response = await fetch(`${server.url}${path}`, {
      method: route.method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  }

  it("finds the API routes, the playground included", () => {
    const api = routes.filter(isApiRoute);
    expect(api.length).toBeGreaterThan(40);
    expect(api).toContainEqual({ method: "PATCH", path: "/data/foundation/flowservice/connections/:id" });
    expect(api).toContainEqual({ method: "POST", path: "/data/foundation/conversion/mappingSets" });
    expect(api.some((route) => route.path.startsWith("/inlet/"))).toBe(true);
  });

  it("answers every API route with the gateway's 401/403 when credentials are missing or wrong", async () => {
    const { accessToken, apiKey, orgId } = owner.token;
    const attempts: Record<string, Record<string, string>> = {
      none: {},
      "token only": { authorization: `Bearer ${accessToken}` },
      "no bearer scheme": { authorization: accessToken, "x-api-key": apiKey, "x-gw-ims-org-id": orgId },
      "unknown token": { authorization: "Bearer inlet_forged", "x-api-key": apiKey, "x-gw-ims-org-id": orgId },
      "another token's api key": {
        authorization: `Bearer ${accessToken}`,
        "x-api-key": strangerToken.apiKey,
        "x-gw-ims-org-id": orgId,
      },
    };
    const failures: string[] = [];
    for (const route of routes.filter(isApiRoute)) {
      const path = route.path.replace(":id", estate.connections);
      for (const [name, headers] of Object.entries(attempts)) {
        const reply = await send(route, path, headers, bodyFor(route));
        if (reply.status !== 401 && reply.status !== 403)
          failures.push(`${route.method} ${path} (${name}): ${reply.status}`);
        if (reply.text.includes(estate.connections) || reply.text.includes("test base"))
          failures.push(`${route.method} ${path} (${name}) mentions the resource`);
      }
      // A valid token sent with another org's header: FLOW-2000-401, never the other org's data.
      const crossed = await send(
        route,
        path,
        { authorization: `Bearer ${accessToken}`, "x-api-key": apiKey, "x-gw-ims-org-id": "STRANGER@AdobeOrg" },
        bodyFor(route),
      );
      if (crossed.status !== 401)
        failures.push(`${route.method} ${path} (org header of another org): ${crossed.status}`);
    }
    expect(failures).toEqual([]);
  });

  it("has only read-only public routes outside the authenticated prefixes", () => {
    const outside = routes.filter((route) => !isApiRoute(route));
    expect(outside.filter((route) => route.method !== "GET" && route.method !== "HEAD")).toEqual([]);
    expect(outside.map((route) => route.path)).not.toContainEqual(expect.stringMatching(/^\/data\/|^\/inlet\//));
  });

  it("answers 404 on every by-id route to another org's token and to another sandbox", async () => {
    const failures: string[] = [];
    const byId = routes.filter((route) => isApiRoute(route) && route.path.includes(":id") && route.method !== "HEAD");
    expect(byId.length).toBeGreaterThan(20);
    for (const route of byId) {
      const kind = kindOf(route);
      const id = estate[kind as keyof Estate];
      if (id === undefined) {
        failures.push(`${route.method} ${route.path}: unknown kind ${kind}; add it to the estate`);
        continue;
      }
      const path = `${route.path.replace(":id", id)}${route.path.endsWith("/action") ? "?op=disable" : ""}`;
      for (const [who, api] of [
        ["another org", stranger],
        ["another org's admin", strangerAdmin],
        ["the dev sandbox", devSandbox],
      ] as const) {
        const headers = { ...(await headersOf(api)), "if-match": '"stale"' };
        const reply = await send(route, path, headers, bodyFor(route));
        if (globalKinds.has(kind)) {
          // Global specs are readable by all; changing them needs an admin token (Inlet's operator role).
          const expected = route.method === "GET" ? 200 : api === strangerAdmin ? undefined : 400;
          if (expected !== undefined && reply.status !== expected)
            failures.push(`${route.method} ${path} (${who}): ${reply.status}, expected ${expected}`);
          continue;
        }
        if (reply.status !== 404)
          failures.push(`${route.method} ${path} (${who}): ${reply.status} ${reply.text.slice(0, 120)}`);
        if (reply.text.includes("test base") || reply.text.includes("test flow") || reply.text.includes(password))
          failures.push(`${route.method} ${path} (${who}) shows the resource`);
      }
    }
    expect(failures).toEqual([]);
    // Nothing above changed the owner's resources.
    const flow = (await owner.ok("GET", `/flows/${estate.flows}`)).body.items[0];
    expect(flow.name).toBe("test flow");
    expect((await owner.call("GET", `/connections/${estate.connections}`)).status).toBe(200);
  });

  async function headersOf(api: FlowApi): Promise<Record<string, string>> {
    return {
      authorization: `Bearer ${api.token.accessToken}`,
      "x-api-key": api.token.apiKey,
      "x-gw-ims-org-id": api.token.orgId,
      ...(api.sandbox ? { "x-sandbox-name": api.sandbox } : {}),
    };
  }

  it("lists nothing of another org or sandbox on every list route", async () => {
    const lists = routes.filter((route) => isApiRoute(route) && route.method === "GET" && !route.path.includes(":"));
    expect(lists.length).toBeGreaterThanOrEqual(10);
    const ids = Object.entries(estate)
      .filter(([kind]) => !globalKinds.has(kind))
      .map(([, id]) => id);
    const failures: string[] = [];
    for (const route of lists) {
      const owned = await send(route, route.path, await headersOf(owner));
      expect(owned.status, route.path).toBe(200);
      for (const api of [stranger, devSandbox]) {
        for (const query of ["", "?count=true", `?property=id==${estate.flows}`, `?dataSet=${estate.dataSets}`]) {
          const reply = await send(route, `${route.path}${query}`, await headersOf(api));
          if (reply.status !== 200 && reply.status !== 400) failures.push(`${route.path}${query}: ${reply.status}`);
          for (const id of ids) if (reply.text.includes(id)) failures.push(`${route.path}${query} shows ${id}`);
          if (/"count":[1-9]/.test(reply.text) && !route.path.endsWith("Specs"))
            failures.push(`${route.path}${query} counts the owner's resources`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The owner does see them, so the assertions above can fail.
    const runs = await owner.ok("GET", `/runs?property=flowId==${estate.flows}`);
    expect(runs.body.items.map((run: { id: string }) => run.id)).toContain(estate.runs);
  });

  it("refuses another org's ids inside bodies without revealing them", async () => {
    const connectionSpec = { id: estate.connectionSpecs, version: "1.0" };
    const attempts: Array<[string, string, unknown]> = [
      [
        "POST",
        "/sourceConnections",
        { name: "s", baseConnectionId: estate.connections, connectionSpec, data: { format: "json" }, params: {} },
      ],
      [
        "POST",
        "/targetConnections",
        {
          name: "t",
          connectionSpec: { id: dataLakeSpecId, version: "1.0" },
          data: { format: "parquet_xdm" },
          params: { dataSetId: estate.dataSets },
        },
      ],
      [
        "POST",
        "/flows",
        {
          name: "f",
          flowSpec: { id: restStorageToAepFlowSpecId, version: "1.0" },
          sourceConnectionIds: [estate.sourceConnections],
          targetConnectionIds: [estate.targetConnections],
          transformations: [{ name: "Mapping", params: { mappingId: estate.mappingSets, mappingVersion: 0 } }],
          scheduleParams: { startTime: 1_700_000_000, frequency: "once" },
        },
      ],
      ["POST", "/runs", { flowId: estate.flows, params: { windowStartTime: 0, windowEndTime: 1 } }],
      [
        "POST",
        "/data/foundation/conversion/mappingSets",
        { dataSetId: estate.dataSets, mappings: [{ sourceType: "ATTRIBUTE", source: "id", destination: "id" }] },
      ],
    ];
    for (const api of [stranger, devSandbox]) {
      for (const [method, path, body] of attempts) {
        const reply = await api.call(method, path, body);
        expect([400, 404], `${method} ${path}: ${JSON.stringify(reply.body)}`).toContain(reply.status);
        const text = JSON.stringify(reply.body);
        expect(text).not.toContain("test base");
        expect(text).not.toContain("test dataset");
      }
    }
    // Specs are global, connections are not: the playground never reads a stored connection's secrets.
    const playground = await send({ method: "POST", path: "" }, "/inlet/playground/read", await headersOf(stranger), {
      connectionSpecId: estate.connectionSpecs,
      auth: { username: "ana", password: "guess" },
    });
    expect(playground.status).toBe(200);
    expect(playground.text).not.toContain(password);
    expect(playground.text).toContain("401");
  });
});
