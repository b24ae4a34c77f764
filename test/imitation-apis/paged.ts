/** A PAGE API announcing its page count in `x-pagecount` (pageNumber from 1, pageSize). */
import { type Imitation, sendJson, startImitation } from "./server.ts";

export function startPagedApi(options: { readonly items?: number; readonly apiKey?: string } = {}): Promise<Imitation> {
  const items = options.items ?? 10;
  return startImitation((req, res, url) => {
    if (options.apiKey !== undefined && req.headers["x-api-key"] !== options.apiKey)
      return sendJson(res, 403, { message: "Forbidden" });
    const size = Number(url.searchParams.get("pageSize") ?? "4");
    const page = Number(url.searchParams.get("pageNumber") ?? "1");
    const start = (page - 1) * size;
    const data = Array.from({ length: Math.max(0, Math.min(size, items - start)) }, (_, k) => ({
      id: start + k,
      name: `item ${start + k}`,
    }));
    sendJson(res, 200, { data }, { "x-pagecount": String(Math.ceil(items / size)) });
  });
}

/** A POINTER API returning absolute `paging.next` URLs (Facebook Graph style); `relative` switches to paths. */
export function startPointerApi(
  options: { readonly items?: number; readonly relative?: boolean; readonly loop?: boolean } = {},
): Promise<Imitation> {
  const items = options.items ?? 9;
  return startImitation((req, res, url) => {
    const limit = Number(url.searchParams.get("limit") ?? "4");
    const after = options.loop ? 0 : Number(url.searchParams.get("after") ?? "0");
    const data = Array.from({ length: Math.max(0, Math.min(limit, items - after)) }, (_, k) => ({
      id: `p${after + k}`,
    }));
    const nextStart = after + data.length;
    const path = `/v1/things?limit=${limit}&after=${options.loop ? limit : nextStart}`;
    const next =
      nextStart < items || options.loop ? (options.relative ? path : `http://${req.headers.host}${path}`) : undefined;
    sendJson(res, 200, { data, paging: next ? { next } : {} });
  });
}
