/**
 * Test harness for the engine's integration suites: imitation servers closed after each test, a
 * `collect` that runs a read to its end, and HTTP settings that keep retries and timeouts in
 * milliseconds so no test sleeps for seconds.
 */
import { afterEach } from "vitest";
import type { EngineError } from "../../src/engine/errors.ts";
import { type ReadEvent, type ReadRequest, readRecords } from "../../src/engine/read.ts";
import type { Imitation } from "./server.ts";

export const fastHttp = {
  maxRetries: 3,
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  retryAfterCapMs: 50,
  maxTotalWaitMs: 1_000,
  connectTimeoutMs: 500,
  headersTimeoutMs: 200,
  bodyTimeoutMs: 200,
} as const;

/** Registers an afterEach that closes every server `serve` started during the test. */
export function imitations(): <T extends Imitation>(started: Promise<T>) => Promise<T> {
  const open: Imitation[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((server) => server.close()));
  });
  return async (started) => {
    const server = await started;
    open.push(server);
    return server;
  };
}

/** Runs a read to its end; the error it ended with is returned, not thrown. */
export async function collect(request: ReadRequest) {
  const events: ReadEvent[] = [];
  const handle = readRecords({
    ...request,
    http: { ...fastHttp, ...request.http },
    onEvent: (event) => {
      events.push(event);
      request.onEvent?.(event);
    },
  });
  const records: Record<string, unknown>[] = [];
  let error: EngineError | undefined;
  try {
    for await (const record of handle) records.push(record);
  } catch (caught) {
    error = caught as EngineError;
  }
  return { records, summary: handle.summary(), log: handle.requestLog, events, error };
}

/** A connection spec in the concrete layout (spec §4.1) with the given attributes. */
export function connectionSpec(attributes: Record<string, unknown>, authSpec: unknown[] = []) {
  return { authSpec, sourceSpec: { attributes, spec: { properties: {} } } };
}

export const basicAuthSpec = [
  {
    name: "Basic Authentication",
    type: "BasicAuthentication",
    spec: { properties: { username: { type: "string" }, password: { type: "string", format: "password" } } },
  },
];

export const oauthAuthSpec = [
  {
    name: "OAuth2 Refresh Code",
    type: "OAuth2RefreshCode",
    spec: {
      properties: {
        accessToken: { type: "string", format: "password" },
        refreshToken: { type: "string", format: "password" },
        clientSecret: { type: "string", format: "password" },
      },
    },
  },
];

export function keyAuthSpec(restAttributes: Record<string, string>) {
  return [
    {
      name: "API Key Authentication",
      type: "KeyBased",
      spec: { properties: { authKey1: { type: "string", format: "password", restAttributes } } },
    },
  ];
}
