/**
 * A local stand-in for Mailchimp's members endpoint, for `inlet demo` and tests:
 * `GET /3.0/lists/{listId}/members?count=&offset=&since_last_changed=&before_last_changed=` answers
 * `{members, list_id, total_items, _links}` with offset pagination, and `GET /3.0/ping` answers
 * Mailchimp's health check. Every request needs the API key in the configured header (the key
 * alone, or after `apikey `/`Bearer `, as Mailchimp accepts). Errors use Mailchimp's problem shape.
 */
import { randomBytes } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type DemoMember, makeDemoMembers } from "./members.ts";

export interface DemoApiOptions {
  /** How many members the list has. Default 250. */
  readonly members?: number;
  /** The API key callers must send. Default: random. */
  readonly apiKey?: string;
  /** The header carrying it. Default `Authorization`. */
  readonly headerName?: string;
  /** The one list that exists. Default `a1b2c3d4e5`. */
  readonly listId?: string;
  /** Port on 127.0.0.1. Default 0 (any free port). */
  readonly port?: number;
}

export interface DemoApi {
  readonly url: string;
  readonly apiKey: string;
  readonly headerName: string;
  readonly listId: string;
  readonly memberCount: number;
  /** Requests answered so far, and how many were refused for a missing or wrong key. */
  readonly stats: { requests: number; refused: number };
  close(): Promise<void>;
}

const maxCount = 1000;
const errorDocs = "https://mailchimp.com/developer/marketing/docs/errors/";

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function problem(res: ServerResponse, status: number, title: string, detail: string): void {
  send(res, status, { type: errorDocs, title, status, detail, instance: randomBytes(16).toString("hex") });
}

/**
 * Mailchimp's `since_last_changed`/`before_last_changed` are ISO 8601; the engine may render
 * .NET formats such as `2024-01-02T03:04:05:0000000Z` (a colon before the fraction), so accept that too.
 */
export function parseMailchimpTime(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:[.:](\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    value.trim(),
  );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = "0", fraction = "0", zone = "Z"] = m;
  const ms = Number(`0.${fraction}`) * 1000;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone.toUpperCase() !== "Z") {
    const z = /([+-])(\d{2}):?(\d{2})/.exec(zone);
    if (z) t -= (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  }
  return Number.isFinite(t) ? t : undefined;
}

function intParam(url: URL, name: string, fallback: number): number | string {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : `${name} must be a non-negative integer, got "${raw}"`;
}

function presented(member: DemoMember, base: string): Record<string, unknown> {
  const self = `${base}/3.0/lists/${member.list_id}/members/${member.id}`;
  return {
    ...member,
    _links: [
      {
        rel: "self",
        href: self,
        method: "GET",
        targetSchema: "https://us1.api.mailchimp.com/schema/3.0/Definitions/Lists/Members/Response.json",
      },
      { rel: "parent", href: `${base}/3.0/lists/${member.list_id}/members`, method: "GET" },
    ],
  };
}

export async function startDemoApi(options: DemoApiOptions = {}): Promise<DemoApi> {
  const apiKey = options.apiKey ?? `demo-${randomBytes(12).toString("hex")}-us1`;
  const headerName = (options.headerName ?? "Authorization").toLowerCase();
  const listId = options.listId ?? "a1b2c3d4e5";
  const members = makeDemoMembers(options.members ?? 250, listId);
  const stats = { requests: 0, refused: 0 };
  let base = "";

  const keyMatches = (value: string | string[] | undefined): boolean => {
    const text = (Array.isArray(value) ? value[0] : value)?.trim();
    if (text === undefined) return false;
    return text === apiKey || text.replace(/^(apikey|bearer)\s+/i, "") === apiKey;
  };

  const server = createServer((req, res) => {
    stats.requests += 1;
    const url = new URL(req.url ?? "/", base);
    if (req.method !== "GET") return problem(res, 405, "Method Not Allowed", `${req.method} is not supported here.`);
    if (!keyMatches(req.headers[headerName])) {
      stats.refused += 1;
      return problem(
        res,
        401,
        "API Key Invalid",
        "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
      );
    }
    if (url.pathname === "/3.0/ping" || url.pathname === "/3.0/ping/") {
      return send(res, 200, { health_status: "Everything's Chimpy!" });
    }
    const match = /^\/3\.0\/lists\/([^/]+)\/members\/?$/.exec(url.pathname);
    if (!match) return problem(res, 404, "Resource Not Found", "The requested resource could not be found.");
    if (decodeURIComponent(match[1] as string) !== listId) {
      return problem(res, 404, "Resource Not Found", "The requested resource could not be found.");
    }
    const count = intParam(url, "count", 10);
    const offset = intParam(url, "offset", 0);
    if (typeof count === "string") return problem(res, 400, "Invalid Resource", count);
    if (typeof offset === "string") return problem(res, 400, "Invalid Resource", offset);
    if (count > maxCount) return problem(res, 400, "Invalid Resource", `count must be at most ${maxCount}.`);
    let since: number | undefined;
    let before: number | undefined;
    for (const [name, set] of [
      ["since_last_changed", (t: number) => (since = t)],
      ["before_last_changed", (t: number) => (before = t)],
    ] as const) {
      const raw = url.searchParams.get(name);
      if (raw === null || raw === "") continue;
      const t = parseMailchimpTime(raw);
      if (t === undefined) return problem(res, 400, "Invalid Resource", `${name} is not an ISO 8601 time: "${raw}".`);
      set(t);
    }
    const selected = members.filter((m) => {
      const changed = Date.parse(m.last_changed);
      return (since === undefined || changed > since) && (before === undefined || changed < before);
    });
    const page = selected.slice(offset, offset + count).map((m) => presented(m, base));
    send(res, 200, {
      members: page,
      list_id: listId,
      total_items: selected.length,
      _links: [
        { rel: "self", href: `${base}/3.0/lists/${listId}/members`, method: "GET" },
        { rel: "parent", href: `${base}/3.0/lists/${listId}`, method: "GET" },
      ],
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    apiKey,
    headerName: options.headerName ?? "Authorization",
    listId,
    memberCount: members.length,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
