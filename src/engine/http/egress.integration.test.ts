/** The egress policy: which addresses a read may connect to, checked after DNS and for IP literals. */
import { describe, expect, it } from "vitest";
import { collect, connectionSpec, imitations, startPagedApi } from "../../../test/imitation-apis/index.ts";
import { type EgressPolicy, egressRefusal } from "./egress.ts";

const serve = imitations();

describe("egressRefusal", () => {
  const cases: ReadonlyArray<readonly [string, Record<EgressPolicy, boolean>]> = [
    ["169.254.169.254", { any: true, "no-link-local": false, public: false }],
    ["fe80::1", { any: true, "no-link-local": false, public: false }],
    ["::ffff:169.254.169.254", { any: true, "no-link-local": false, public: false }],
    ["127.0.0.1", { any: true, "no-link-local": true, public: false }],
    ["::ffff:127.0.0.1", { any: true, "no-link-local": true, public: false }],
    ["::1", { any: true, "no-link-local": true, public: false }],
    ["10.1.2.3", { any: true, "no-link-local": true, public: false }],
    ["172.16.0.1", { any: true, "no-link-local": true, public: false }],
    ["192.168.1.1", { any: true, "no-link-local": true, public: false }],
    ["100.64.0.1", { any: true, "no-link-local": true, public: false }],
    ["0.0.0.0", { any: true, "no-link-local": true, public: false }],
    ["fd12:3456::1", { any: true, "no-link-local": true, public: false }],
    ["255.255.255.255", { any: true, "no-link-local": true, public: false }],
    ["8.8.8.8", { any: true, "no-link-local": true, public: true }],
    ["172.32.0.1", { any: true, "no-link-local": true, public: true }],
    ["2606:4700:4700::1111", { any: true, "no-link-local": true, public: true }],
  ];
  it.each(cases)("%s", (address, allowed) => {
    for (const policy of ["any", "no-link-local", "public"] as const) {
      expect(egressRefusal(address, policy) === undefined, `${address} under ${policy}`).toBe(allowed[policy]);
    }
  });
});

const pagedSpec = (host: string) =>
  connectionSpec({
    urlParams: { host, path: "/items", method: "GET" },
    contentPath: "$.data",
    paginationParams: {
      type: "PAGE",
      pageParamName: "pageNumber",
      initialPageIndex: 1,
      limitName: "pageSize",
      limitValue: "4",
    },
  });

describe("a read under an egress policy", () => {
  it("reaches a loopback API by default, and is refused it under `public`, by IP and by name, without retrying", async () => {
    const api = await serve(startPagedApi({ items: 3 }));
    const allowed = await collect({ spec: pagedSpec(api.url), auth: {}, params: {} });
    expect(allowed.records).toHaveLength(3);
    const requestsSoFar = api.stats.log.length;

    for (const host of [api.url, api.url.replace("127.0.0.1", "localhost")]) {
      const { error, summary } = await collect({
        spec: pagedSpec(host),
        auth: {},
        params: {},
        http: { egress: "public" },
      });
      expect(error?.kind).toBe("network");
      expect(error?.message).toMatch(/refused: a loopback address, and the egress policy is "public"/);
      expect(summary.retries).toBe(0);
    }
    expect(api.stats.log).toHaveLength(requestsSoFar);
  });

  it("refuses the cloud metadata address by default, at once", async () => {
    const started = performance.now();
    const { error, summary } = await collect({
      spec: pagedSpec("http://169.254.169.254"),
      auth: {},
      params: {},
    });
    expect(error?.message).toContain("link-local address");
    expect(summary.retries).toBe(0);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
