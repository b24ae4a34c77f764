/**
 * Small imitation APIs for the flow suites: a time-windowed API (the standard scheduleParams
 * form: `from`/`to` query params, OFFSET paging), optionally slow, and a spec builder for it.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
import { type Imitation, sendJson, startImitation } from "../imitation-apis/server.ts";

export interface WindowedRecord {
  readonly id: number;
  /** Epoch ms the record changed; a window [from, to) returns it when from <= updated < to. */
  readonly updated: number;
  readonly [key: string]: unknown;
}

export interface WindowedOptions {
  readonly records: readonly WindowedRecord[];
  /** Milliseconds each page waits before answering (to catch a run in progress). */
  readonly delayMs?: number;
  /** The Basic password the API wants (any user name). */
  readonly password?: string;
}

export interface WindowedApi extends Imitation {
  /** [from, to] of every request, epoch ms. */
  readonly windows: () => Array<[number, number]>;
}

export async function startWindowedApi(options: WindowedOptions): Promise<WindowedApi> {
  const seen: Array<[number, number]> = [];
  const api = await startImitation(async (req, res, url) => {
    if (options.password !== undefined) {
      const auth = req.headers.authorization ?? "";
      const decoded = auth.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString() : "";
      if (!decoded.endsWith(`:${options.password}`)) return sendJson(res, 401, { error: "unauthorized" });
    }
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const from = Date.parse(url.searchParams.get("from") ?? "");
    const to = Date.parse(url.searchParams.get("to") ?? "");
    if (Number.isNaN(from) || Number.isNaN(to)) return sendJson(res, 400, { error: "from and to are required" });
    const limit = Number(url.searchParams.get("limit") ?? "10");
    const offset = Number(url.searchParams.get("offset") ?? "0");
    if (offset === 0) seen.push([from, to]);
    const matching = options.records.filter((r) => r.updated >= from && r.updated < to);
    sendJson(res, 200, { items: matching.slice(offset, offset + limit), total: matching.length });
  });
  return { ...api, windows: () => [...seen] };
}

const basicAuthSpec = {
  name: "Basic Authentication",
  type: "BasicAuthentication",
  spec: {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    description: "Basic authentication",
    properties: {
      username: { type: "string", description: "User name" },
      password: { type: "string", format: "password", description: "Password" },
    },
    required: ["username", "password"],
  },
};

/**
 * A batch SDK connection spec around `attributes` (urlParams, contentPath, paginationParams, …),
 * with the given auth specs (default Basic) and source params (`properties`).
 */
export function sourceSpec(
  name: string,
  attributes: Record<string, unknown>,
  authSpec: unknown[] = [basicAuthSpec],
  properties: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name,
    description: `${name} (test)`,
    type: "generic-rest",
    providerId: "0ed90a81-07f4-4586-8190-b40eccef1c5a",
    version: "1.0",
    attributes: { category: "protocols", isSource: true },
    authSpec,
    sourceSpec: {
      attributes: {
        uiAttributes: {
          isSource: true,
          isPreview: true,
          isBeta: true,
          category: { key: "protocols" },
          icon: { key: "testIcon" },
          description: { key: "testDescription" },
          label: { key: "testLabel" },
        },
        ...attributes,
      },
      spec: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        description: "Source parameters",
        properties,
        ...(Object.keys(properties).length > 0 ? { required: Object.keys(properties) } : {}),
      },
    },
    exploreSpec: {
      name: "Resource",
      type: "Resource",
      requestSpec: { $schema: "http://json-schema.org/draft-07/schema#", type: "object" },
      responseSpec: { $schema: "http://json-schema.org/draft-07/schema#", type: "object" },
    },
  };
}

/** A connection spec for `startWindowedApi` (Basic auth, OFFSET paging, from/to window params). */
export function windowedSpec(host: string, name = "Windowed test source"): Record<string, unknown> {
  return sourceSpec(name, {
    urlParams: { host, path: "/v1/changes", method: "GET" },
    contentPath: { path: "$.items", skipAttributes: [], keepAttributes: [] },
    paginationParams: { type: "OFFSET", limitName: "limit", limitValue: "4", offSetName: "offset" },
    scheduleParams: {
      scheduleStartParamName: "from",
      scheduleEndParamName: "to",
      scheduleStartParamFormat: "yyyy-MM-ddTHH:mm:ssZ",
      scheduleEndParamFormat: "yyyy-MM-ddTHH:mm:ssZ",
    },
  });
}

/** A single-page API answering `{items: records}` (any credentials), for mapping and schema failures. */
export function startRecordsApi(records: readonly Record<string, unknown>[]): Promise<Imitation> {
  return startImitation((_req, res) => sendJson(res, 200, { items: records }));
}

export function recordsSpec(host: string, name = "Records test source"): Record<string, unknown> {
  return sourceSpec(name, {
    urlParams: { host, path: "/records", method: "GET" },
    contentPath: { path: "$.items", skipAttributes: [], keepAttributes: [] },
    paginationParams: { type: "NONE" },
  });
}

/** The row schema the windowed records map onto with the identity mapping. */
export const windowedSchema = {
  type: "object",
  properties: { id: { type: "integer" }, updated: { type: "integer" }, label: { type: "string" } },
  required: ["id"],
};

/** The engine wraps each record in its content path's last segment (`items`); this maps it flat. */
export const windowedMappings = [
  { sourceType: "ATTRIBUTE", source: "items.id", destination: "id" },
  { sourceType: "ATTRIBUTE", source: "items.updated", destination: "updated" },
  { sourceType: "ATTRIBUTE", source: "items.label", destination: "label" },
];
