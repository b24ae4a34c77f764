/**
 * `inlet demo`: the whole product in one command after `npm ci`. It starts an embedded server on a
 * free port with a fresh data directory, issues an admin token, starts a local Mailchimp-like API
 * (src/demo/demo-api.ts), runs `verify` for the example `examples/Sources/mailchimp-members` with
 * `--keep`, then prints the dataset's first rows, where the API docs are and an `inlet query` to
 * try. With `keepServing` the server and the demo API stay up until SIGINT/SIGTERM.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../config.ts";
import { formatTable } from "../datasets/format-table.ts";
import { datasetViewName, listDatasets, runDatasetQuery } from "../datasets/query.ts";
import { type RunningServer, startServer } from "../runtime/start-server.ts";
import { issueToken } from "../tenancy/tokens.ts";
import { findAuthSpec, type JsonObject, type VerifyResult, verifyAndReport } from "../verify/index.ts";
import { type DemoApi, startDemoApi } from "./demo-api.ts";

export const demoOrgId = "DEMO@AdobeOrg";
export const demoSpecPath = fileURLToPath(
  new URL("../../examples/Sources/mailchimp-members/Artifacts/mailchimp-members-connectionSpec.json", import.meta.url),
);

export interface DemoOptions {
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
  /** Leave the server and the demo API up until SIGINT/SIGTERM. */
  readonly keepServing?: boolean;
  /** The Inlet server's port; default 0 (any free port). */
  readonly port?: number;
  /** How many members the demo list has. Default 250. */
  readonly members?: number;
  /** Resolves when the demo should stop serving; default: the first SIGINT or SIGTERM. */
  readonly untilStopped?: () => Promise<void>;
}

export interface DemoOutcome {
  readonly exitCode: number;
  readonly dataDir: string;
  readonly datasetId: string | undefined;
  readonly verify: VerifyResult | undefined;
}

/** The example spec's assumptions the demo relies on; a change there is reported plainly. */
export class DemoSetupError extends Error {
  override readonly name = "DemoSetupError";
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export async function loadDemoSpec(file: string = demoSpecPath): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new DemoSetupError(`cannot read the example connection spec ${file}: ${(error as Error).message}`);
  }
  const spec = JSON.parse(text) as unknown;
  if (!isObject(spec)) throw new DemoSetupError(`${file} is not a JSON object`);
  return spec;
}

export interface DemoConnection {
  readonly authSpecName: string;
  readonly headerName: string;
  /** Auth params for the demo API, given its URL and key. */
  auth(api: DemoApi): JsonObject;
  params(api: DemoApi): JsonObject;
}

/**
 * Reads what the example needs: its "API Key Authentication" (KeyBased) entry and the header its
 * key goes in, a host the demo can point at the local API (`urlParams.host` = `${host}`, taken
 * from the auth params), and the list id input.
 */
export function demoConnection(spec: JsonObject): DemoConnection {
  const authSpec =
    findAuthSpec(spec, "API Key Authentication") ??
    (Array.isArray(spec.authSpec) ? spec.authSpec.filter(isObject).find((e) => e.type === "KeyBased") : undefined);
  if (!authSpec) throw new DemoSetupError('the example spec has no "API Key Authentication" (KeyBased) authSpec entry');
  const properties = isObject(authSpec.spec) && isObject(authSpec.spec.properties) ? authSpec.spec.properties : {};
  const keyEntry = Object.entries(properties).find(
    ([, p]) => isObject(p) && isObject(p.restAttributes) && typeof p.restAttributes.headerParamName === "string",
  );
  if (!keyEntry) throw new DemoSetupError("the API key entry has no key with restAttributes.headerParamName");
  const [keyName, keyProperty] = keyEntry as [string, JsonObject];
  const headerName = (keyProperty.restAttributes as JsonObject).headerParamName as string;

  const sourceSpec = isObject(spec.sourceSpec) ? spec.sourceSpec : {};
  const attributes = isObject(sourceSpec.attributes) ? sourceSpec.attributes : {};
  const urlParams = isObject(attributes.urlParams) ? attributes.urlParams : {};
  const hostTemplate = typeof urlParams.host === "string" ? urlParams.host.trim() : "";
  const hostParam = /^\$?\{(\w+)\}$/.exec(hostTemplate)?.[1] ?? (hostTemplate === "" ? "host" : undefined);
  if (hostParam === undefined) {
    throw new DemoSetupError(
      `the example's urlParams.host is "${hostTemplate}"; the demo can only point a host that is a whole placeholder such as \${host} at its local API`,
    );
  }
  const inputs = isObject(sourceSpec.spec) ? sourceSpec.spec : isObject(attributes.spec) ? attributes.spec : {};
  const inputNames = isObject(inputs.properties) ? Object.keys(inputs.properties) : [];

  return {
    authSpecName: typeof authSpec.name === "string" ? authSpec.name : "API Key Authentication",
    headerName,
    auth: (api) => ({
      [hostParam]: api.url,
      // The example documents the Authorization value as "Bearer <key>"; other headers carry the key alone.
      [keyName]: headerName.toLowerCase() === "authorization" ? `Bearer ${api.apiKey}` : api.apiKey,
    }),
    params: (api) => Object.fromEntries(inputNames.map((name) => [name, /list/i.test(name) ? api.listId : ""])),
  };
}

/**
 * Up to `max` scalar leaves of the row schema (nested ones as `"a"."b"`): the first leaf matching
 * each interesting pattern in turn (an email, a name, a status, a change time, a place), then the
 * rest in schema order; shown in schema order.
 */
export function previewColumns(schema: JsonObject, max = 6): string[] {
  const leaves: Array<{ names: string[]; order: number }> = [];
  const visit = (node: unknown, trail: string[]) => {
    if (!isObject(node) || !isObject(node.properties) || trail.length > 3) return;
    for (const [name, property] of Object.entries(node.properties)) {
      const types = isObject(property) ? [property.type].flat() : [];
      if (types.includes("object")) visit(property, [...trail, name]);
      else if (types.some((t) => t === "string" || t === "integer" || t === "number" || t === "boolean")) {
        leaves.push({ names: [...trail, name], order: leaves.length });
      }
    }
  };
  visit(schema, []);
  const interesting = [
    /^email(_address)?$/i,
    /^(full_?name|name)$/i,
    /^status$/i,
    /last_changed|updated|modified/i,
    /^city$/i,
    /^country/i,
  ];
  const picked = new Set<(typeof leaves)[number]>();
  for (const pattern of interesting) {
    const leaf = leaves.find((l) => !picked.has(l) && pattern.test(l.names.at(-1) as string));
    if (leaf && picked.size < max) picked.add(leaf);
  }
  for (const leaf of leaves) if (picked.size < max) picked.add(leaf);
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return [...picked]
    .sort((a, b) => a.order - b.order)
    .map(
      (leaf) =>
        `${leaf.names.map(quote).join(".")} AS ${quote(leaf.names.slice(leaf.names.length > 1 ? 1 : 0).join("."))}`,
    );
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const out = (text: string) => options.stdout.write(text);
  const spec = await loadDemoSpec();
  const connection = demoConnection(spec);

  const dataDir = await mkdtemp(path.join(tmpdir(), "inlet-demo-"));
  const config = parseConfig({
    dataDir,
    port: options.port ?? 0,
    databaseUrl: `sqlite:${path.join(dataDir, "inlet.sqlite")}`,
  });
  let server: RunningServer | undefined;
  let api: DemoApi | undefined;
  // A signal during the demo closes everything; the steps in flight then fail fast and clean up.
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    void shutdown();
  };
  const shutdown = async () => {
    const [s, a] = [server, api];
    server = undefined;
    api = undefined;
    await a?.close();
    await s?.close();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    server = await startServer(config, { logging: false });
    const admin = await issueToken(server.store, demoOrgId, "admin");
    api = await startDemoApi({ headerName: connection.headerName, members: options.members ?? 250 });
    out(
      `Inlet demo\n  server:    ${server.url} (data dir ${dataDir})\n` +
        `  demo API:  ${api.url}/3.0/lists/${api.listId}/members (Mailchimp-like, ${api.memberCount} members, key in ${api.headerName})\n` +
        `  spec:      ${path.relative(process.cwd(), demoSpecPath) || demoSpecPath}\n\n`,
    );
    const verify = await verifyAndReport(
      {
        server: server.url,
        accessToken: admin.accessToken,
        apiKey: admin.apiKey,
        orgId: admin.orgId,
        spec,
        authSpecName: connection.authSpecName,
        auth: connection.auth(api),
        params: connection.params(api),
        keep: true,
        timeoutMs: 120_000,
        pollIntervalMs: 250,
      },
      options,
    );
    const datasetId = verify.created.datasetId;
    if (!verify.passed || datasetId === undefined || interrupted) {
      out(interrupted ? "\nInterrupted.\n" : "\nThe demo's verify run failed; see the steps above.\n");
      return { exitCode: 1, dataDir, datasetId, verify };
    }

    const view = datasetViewName(datasetId);
    const datasetSchema = await readDatasetSchema(dataDir, datasetId);
    const columns = datasetSchema ? previewColumns(datasetSchema) : [];
    const sql = `SELECT ${columns.length > 0 ? columns.join(", ") : "*"} FROM ${view} LIMIT 5`;
    const preview = await runDatasetQuery(dataDir, sql);
    const count = await runDatasetQuery(dataDir, `SELECT count(*) AS n FROM ${view}`);
    out(
      `\nDataset ${datasetId}: ${String(count.rows[0]?.n ?? "?")} rows. The first ones:\n${formatTable(preview)}\n\n`,
    );
    const member = datasetSchema && isObject(datasetSchema.properties) ? datasetSchema.properties.member : undefined;
    const grouped =
      isObject(member) && isObject(member.properties) && member.properties.status !== undefined
        ? `SELECT member.status, count(*) AS members FROM ${view} GROUP BY ALL ORDER BY members DESC`
        : `SELECT count(*) FROM ${view}`;
    out(
      `Query it yourself (DuckDB SQL; each dataset is the view ds_<id>):\n` +
        `  npx inlet query --data-dir ${dataDir} "${grouped}"\n` +
        `  npx inlet datasets preview ${datasetId} --data-dir ${dataDir}\n`,
    );
    if (!options.keepServing) {
      out(
        `\nAPI docs: ${server.url}/docs (this server stops now; \`inlet demo --keep-serving\` keeps it up).\n` +
          `The data stays in ${dataDir}; delete it when done.\n`,
      );
      return { exitCode: 0, dataDir, datasetId, verify };
    }

    out(
      `\nServing until Ctrl-C. API docs: ${server.url}/docs\n` +
        "These are throw-away credentials of this local demo (a fresh org in a temporary data dir), so\n" +
        "printing them is fine here; never print real ones:\n" +
        `  token:    ${admin.accessToken}\n  api key:  ${admin.apiKey}\n  org:      ${admin.orgId}\n` +
        `  demo API: ${api.headerName}: Bearer ${api.apiKey}\n` +
        `Try:\n  curl -s ${server.url}/data/foundation/flowservice/flows \\\n` +
        `    -H "Authorization: Bearer ${admin.accessToken}" -H "x-api-key: ${admin.apiKey}" -H "x-gw-ims-org-id: ${admin.orgId}"\n`,
    );
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await (options.untilStopped ?? waitForSignal)();
    out("Stopping the demo.\n");
    return { exitCode: 0, dataDir, datasetId, verify };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await shutdown();
  }
}

async function readDatasetSchema(dataDir: string, datasetId: string): Promise<JsonObject | undefined> {
  const found = (await listDatasets(dataDir)).find((d) => d.id === datasetId);
  return found ? (found.schema as JsonObject) : undefined;
}
