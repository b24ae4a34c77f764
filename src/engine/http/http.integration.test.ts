/** HTTP behaviour against local servers: retries, timeouts, bodies, limits. Waits are milliseconds (fastHttp). */
import { once } from "node:events";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { collect, connectionSpec, imitations, sendJson, startImitation } from "../../../test/imitation-apis/index.ts";
import { readRecords } from "../read.ts";

const serve = imitations();
const plain = (host: string, contentPath: unknown = "$.items") =>
  connectionSpec({
    urlParams: { host, path: "/x", method: "GET" },
    contentPath,
    paginationParams: { type: "NONE" },
  });

describe("retries", () => {
  it("retries a 500 (and a 503, a 408) then succeeds", async () => {
    const failures = [500, 503, 408];
    const api = await serve(
      startImitation((_q, res) => {
        const status = failures.shift();
        sendJson(res, status ?? 200, status ? { e: status } : { items: [{ a: 1 }] });
      }),
    );
    const { records, summary, log } = await collect({ spec: plain(api.url), auth: {}, params: {} });
    expect(records).toEqual([{ items: { a: 1 } }]);
    expect(summary).toMatchObject({ requests: 1, retries: 3 });
    expect(log[0]).toMatchObject({ status: 200, retries: 3 });
  });

  it("retries a network error (connection reset) and then fails with kind network", async () => {
    const api = await serve(startImitation((req) => void req.socket.destroy()));
    const { error, summary } = await collect({ spec: plain(api.url), auth: {}, params: {} });
    expect(error).toMatchObject({ kind: "network" });
    expect(error?.message).toContain(api.url);
    expect(summary.retries).toBe(3);
    expect(api.stats.requests).toBe(4);
  });

  it("bounds the total wait across retries", async () => {
    const api = await serve(startImitation((_q, res) => sendJson(res, 503, {}, { "retry-after": "1" })));
    const { error } = await collect({
      spec: plain(api.url),
      auth: {},
      params: {},
      http: { maxRetries: 50, retryAfterCapMs: 40, maxTotalWaitMs: 100 },
    });
    expect(error?.status).toBe(503);
    expect(api.stats.requests).toBe(3);
  });

  it("fails a non-retryable 4xx at once with status, URL and a body excerpt", async () => {
    const api = await serve(startImitation((_q, res) => sendJson(res, 404, { message: "no such list" })));
    const { error } = await collect({ spec: plain(api.url), auth: {}, params: {} });
    expect(error).toMatchObject({ kind: "upstream", status: 404, url: `${api.url}/x` });
    expect(error?.bodyExcerpt).toBe('{"message":"no such list"}');
    expect(error?.message).toBe(`GET ${api.url}/x answered 404: {"message":"no such list"}`);
    expect(api.stats.requests).toBe(1);
  });

  it("does not follow a redirect (the credentials must not travel elsewhere)", async () => {
    const api = await serve(
      startImitation((_q, res) => {
        res.writeHead(302, { location: "https://elsewhere.example/x" });
        res.end();
      }),
    );
    const { error } = await collect({ spec: plain(api.url), auth: {}, params: {} });
    expect(error).toMatchObject({ kind: "upstream", status: 302 });
    expect(error?.message).toMatch(/redirect to https:\/\/elsewhere.example\/x, not followed/);
  });
});

describe("timeouts", () => {
  it("times out a server that stalls before its headers, retries, then fails with kind timeout", async () => {
    const api = await serve(startImitation(() => undefined));
    const t0 = performance.now();
    const { error } = await collect({
      spec: plain(api.url),
      auth: {},
      params: {},
      http: { maxRetries: 1, headersTimeoutMs: 100 },
    });
    expect(error?.kind).toBe("timeout");
    expect(error?.message).toMatch(/UND_ERR_HEADERS_TIMEOUT/);
    expect(api.stats.requests).toBe(2);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("times out a server that stalls in the middle of its body", async () => {
    const api = await serve(
      startImitation((_q, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"items": [');
      }),
    );
    const { error } = await collect({
      spec: plain(api.url),
      auth: {},
      params: {},
      http: { maxRetries: 0, bodyTimeoutMs: 100 },
    });
    expect(error?.kind).toBe("timeout");
    expect(error?.message).toMatch(/UND_ERR_BODY_TIMEOUT/);
  });

  it("stops when the caller aborts", async () => {
    const api = await serve(startImitation(() => undefined));
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error("stopped by the caller")), 30);
    const { error, summary } = await collect({
      spec: plain(api.url),
      auth: {},
      params: {},
      signal: abort.signal,
      http: { headersTimeoutMs: 10_000 },
    });
    expect(error?.message).toMatch(/stopped by the caller/);
    expect(summary.stopReason).toBe("error");
  });
});

describe("bodies", () => {
  it("reports malformed JSON with the URL, status and an excerpt", async () => {
    const api = await serve(startImitation((_q, res) => void res.end('{"items": [1, 2,')));
    const { error } = await collect({ spec: plain(api.url), auth: {}, params: {} });
    expect(error).toMatchObject({
      kind: "extraction",
      status: 200,
      url: `${api.url}/x`,
      bodyExcerpt: '{"items": [1, 2,',
    });
    expect(error?.message).toContain("is not JSON");
  });

  it("reports a contentPath that is not an array with the URL, status and an excerpt", async () => {
    const api = await serve(startImitation((_q, res) => sendJson(res, 200, { items: { id: 1 } })));
    const { error } = await collect({ spec: plain(api.url), auth: {}, params: {} });
    expect(error).toMatchObject({ kind: "extraction", status: 200, url: `${api.url}/x` });
    expect(error?.message).toMatch(/contentPath \$.items does not point at an array \(found a JSON object\)/);
    expect(error?.bodyExcerpt).toBe('{"items":{"id":1}}');
  });

  it("decodes gzip, deflate (zlib and raw) and br bodies", async () => {
    const body = Buffer.from(JSON.stringify({ items: [{ ok: true }] }));
    for (const [name, encode] of [
      ["gzip", gzipSync],
      ["deflate", deflateSync],
      ["deflate", deflateRawSync],
      ["br", brotliCompressSync],
    ] as const) {
      const api = await serve(
        startImitation((_q, res) => {
          res.writeHead(200, { "content-encoding": name, "content-type": "application/json" });
          res.end(encode(body));
        }),
      );
      const { records } = await collect({ spec: plain(api.url), auth: {}, params: {} });
      expect(records).toEqual([{ items: { ok: true } }]);
      expect(api.stats.log[0]?.headers["accept-encoding"]).toBe("gzip, deflate, br");
    }
  });

  it("refuses a compressed body that inflates past maxBodyBytes (a zip bomb)", async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    const api = await serve(
      startImitation((_q, res) => {
        res.writeHead(200, { "content-encoding": "gzip" });
        res.end(bomb);
      }),
    );
    const { error } = await collect({
      spec: plain(api.url),
      auth: {},
      params: {},
      http: { maxBodyBytes: 1024 * 1024 },
    });
    expect(error).toMatchObject({ kind: "upstream" });
    expect(error?.message).toMatch(/inflates past 1048576 bytes/);
  });

  it("reads a 20 MB page streamed by the server, and refuses one above maxBodyBytes", async () => {
    const pad = "x".repeat(1000);
    const api = await serve(
      startImitation(async (_q, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"items":[');
        for (let chunk = 0; chunk < 20; chunk++) {
          const items = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ id: chunk * 1000 + i, pad }));
          if (!res.write(`${chunk === 0 ? "" : ","}${items.join(",")}`)) await once(res, "drain");
        }
        res.end("]}");
      }),
    );
    const handle = readRecords({ spec: plain(api.url), auth: {}, params: {}, http: { bodyTimeoutMs: 10_000 } });
    let count = 0;
    let last: unknown;
    for await (const record of handle) {
      count += 1;
      last = record;
    }
    expect(count).toBe(20_000);
    expect(last).toEqual({ items: { id: 19_999, pad } });
    expect(handle.summary().bytes).toBeGreaterThan(20_000_000);

    const { error } = await collect({ spec: plain(api.url), auth: {}, params: {}, http: { maxBodyBytes: 5_000_000 } });
    expect(error?.message).toMatch(/exceeds 5000000 bytes/);
  });
});
