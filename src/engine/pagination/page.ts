/**
 * PAGE (spec §4.6): pageParamName=index from initialPageIndex (default 0). Stops at endPageIndex
 * (a number: the last index, inclusive; or `headers.<name>`: the page count, so stop once that
 * many pages are fetched), an empty page or a short page.
 */
import { EngineError } from "../errors.ts";
import { type Fields, limitParam, optionalNumber, requiredString } from "./fields.ts";
import type { Paginator } from "./types.ts";

export function pagePaginator(fields: Fields, common: Pick<Paginator, "delayMs" | "maximumRequest">): Paginator {
  const pageName = requiredString(fields, "PAGE", "pageParamName");
  const { query: limitQuery, limit } = limitParam(fields);
  const initial = optionalNumber(fields, "initialPageIndex") ?? 0;
  const endRaw = fields.endPageIndex;
  const endHeader =
    typeof endRaw === "string" && endRaw.startsWith("headers.")
      ? endRaw.slice("headers.".length).toLowerCase()
      : undefined;
  const endIndex = endHeader === undefined ? optionalNumber(fields, "endPageIndex") : undefined;
  let index = initial;
  let fetched = 0;
  const request = () => ({ query: { ...limitQuery, [pageName]: String(index) }, headers: {} });
  return {
    type: "PAGE",
    ...common,
    first: request,
    next(page) {
      fetched += 1;
      if (endIndex !== undefined && index >= endIndex) return { kind: "stop", reason: "end-page-index" };
      if (endHeader !== undefined) {
        const announced = page.headers[endHeader];
        if (announced !== undefined) {
          const count = Number(announced);
          if (!Number.isFinite(count))
            throw new EngineError("upstream", `Header ${endHeader} is not a number: ${announced.slice(0, 40)}`, {
              url: page.url,
            });
          if (fetched >= count) return { kind: "stop", reason: "end-page-index" };
        }
      }
      if (page.itemCount === 0) return { kind: "stop", reason: "empty-page" };
      if (limit !== undefined && page.itemCount < limit) return { kind: "stop", reason: "short-page" };
      index += 1;
      return { kind: "next", request: request() };
    },
  };
}
