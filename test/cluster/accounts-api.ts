/**
 * An imitation API with several accounts, for the cluster test and bench: the standard windowed
 * form (`from`/`to` query params, OFFSET paging), Basic auth whose user name is the account. For
 * every account it counts requests in flight (and their peak) and keeps each request's start time,
 * so a test can check that the fleet never exceeded an account's concurrency or pace.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: connection specs use literal ${name} placeholders
import { type Imitation, sendJson, startImitation } from "../imitation-apis/server.ts";
import { sourceSpec } from "../support/flows-apis.ts";

export interface AccountRecord {
  readonly id: number;
  /** Epoch ms; a window [from, to) returns it when from <= updated < to. */
  readonly updated: number;
  readonly label: string;
}

export interface AccountStats {
  inFlight: number;
  peakInFlight: number;
  requests: number;
  /** Arrival times (performance.now(), ms) of every request. */
  readonly starts: number[];
}

export interface AccountsApi extends Imitation {
  readonly accounts: ReadonlyMap<string, AccountStats>;
}

export interface AccountsApiOptions {
  /** The records each account serves (the same for every flow reading that account). */
  readonly records: (account: string) => readonly AccountRecord[];
  /** Milliseconds each page takes to answer. */
  readonly pageDelayMs: number;
}

export async function startAccountsApi(options: AccountsApiOptions): Promise<AccountsApi> {
  const accounts = new Map<string, AccountStats>();
  const cache = new Map<string, readonly AccountRecord[]>();
  const api = await startImitation(async (req, res, url) => {
    const auth = req.headers.authorization ?? "";
    const decoded = auth.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString() : "";
    const account = decoded.split(":")[0] ?? "";
    if (account === "") return sendJson(res, 401, { error: "unauthorized" });
    let stats = accounts.get(account);
    if (!stats) {
      stats = { inFlight: 0, peakInFlight: 0, requests: 0, starts: [] };
      accounts.set(account, stats);
    }
    stats.requests += 1;
    stats.inFlight += 1;
    stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
    stats.starts.push(performance.now());
    try {
      await new Promise((resolve) => setTimeout(resolve, options.pageDelayMs));
      const from = Date.parse(url.searchParams.get("from") ?? "");
      const to = Date.parse(url.searchParams.get("to") ?? "");
      if (Number.isNaN(from) || Number.isNaN(to)) return sendJson(res, 400, { error: "from and to are required" });
      const limit = Number(url.searchParams.get("limit") ?? "10");
      const offset = Number(url.searchParams.get("offset") ?? "0");
      let records = cache.get(account);
      if (!records) {
        records = options.records(account);
        cache.set(account, records);
      }
      const matching = records.filter((r) => r.updated >= from && r.updated < to);
      sendJson(res, 200, { items: matching.slice(offset, offset + limit), total: matching.length });
    } finally {
      stats.inFlight -= 1;
    }
  });
  return { ...api, accounts };
}

/** A connection spec for the accounts API: Basic auth, OFFSET paging of `pageSize`, the given pace. */
export function accountsSpec(host: string, name: string, pageSize: number, delayRequestMillis?: number) {
  return sourceSpec(name, {
    urlParams: { host, path: "/v1/changes", method: "GET" },
    contentPath: { path: "$.items", skipAttributes: [], keepAttributes: [] },
    paginationParams: {
      type: "OFFSET",
      limitName: "limit",
      limitValue: String(pageSize),
      offSetName: "offset",
      ...(delayRequestMillis === undefined ? {} : { delayRequestMillis: String(delayRequestMillis) }),
    },
    scheduleParams: {
      scheduleStartParamName: "from",
      scheduleEndParamName: "to",
      scheduleStartParamFormat: "yyyy-MM-ddTHH:mm:ssZ",
      scheduleEndParamFormat: "yyyy-MM-ddTHH:mm:ssZ",
    },
  });
}

/** `count` records, `stepMs` apart from `first`. */
export function recordsBetween(first: number, stepMs: number, count: number): AccountRecord[] {
  return Array.from({ length: count }, (_, i) => ({ id: i + 1, updated: first + i * stepMs, label: `r${i + 1}` }));
}
