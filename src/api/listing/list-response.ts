import type { FastifyRequest } from "fastify";
import { applyList, type Item } from "./apply-list.ts";
import { parseListQuery } from "./list-query.ts";

/** Runs the §2.3 list conventions over items and builds Adobe's envelope with `_links.next`. */
export function listResponse(request: FastifyRequest, items: readonly Item[]): Record<string, unknown> {
  const result = applyList(items, parseListQuery(request.query as Record<string, unknown>));
  if (result.kind === "count") return { count: result.count };
  if (result.nextToken === undefined) return { items: result.items, _links: {} };
  const url = new URL(request.url, "http://placeholder");
  url.searchParams.set("continuationToken", result.nextToken);
  return { items: result.items, _links: { next: { href: `${url.pathname}${url.search}` } } };
}

/** GET by id answers the list envelope with one item (spec §2.3). */
export function oneItem(item: Item): { items: Item[] } {
  return { items: [item] };
}
