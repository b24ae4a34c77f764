/**
 * PAGE (spec §4.6): `pageParamName=<index>` from `initialPageIndex` (default 0), plus
 * `limitName=limitValue`. Stops at `endPageIndex`: a number is the last index fetched (inclusive);
 * `headers.<name>` reads the page count the API announces, so the read stops once that many
 * pages are fetched (exclusive from 0, inclusive from 1, as spec §4.6 recommends). Also stops on
 * an empty page and (without an end condition, with a limit) on a short page. The index only
 * grows, so it can never repeat.
 */
import { EngineError } from "../errors.ts";
import { checkpointMismatch, type Fields, limitParam, optionalNumber, requiredString } from "./fields.ts";
import type { Paginator, PaginatorOptions } from "./types.ts";

export function pagePaginator(fields: Fields, options: PaginatorOptions): Paginator {
  const pageName = requiredString(fields, "PAGE", "pageParamName");
  const { query: limitQuery, limit } = limitParam(fields);
  const initial = optionalNumber(fields, "initialPageIndex") ?? 0;
  if (initial < 0) throw new EngineError("spec", "paginationParams.initialPageIndex must not be negative");
  const endRaw = fields.endPageIndex;
  const endHeader =
    typeof endRaw === "string" && /^headers\./i.test(endRaw.trim())
      ? endRaw.trim().slice("headers.".length).toLowerCase()
      : undefined;
  if (endHeader === "") throw new EngineError("spec", "paginationParams.endPageIndex headers. needs a header name");
  const endIndex = endHeader === undefined ? optionalNumber(fields, "endPageIndex") : undefined;
  let index = initial;
  let fetched = 0;
  let stepped = false;
  const request = () => ({ query: { ...limitQuery, [pageName]: String(index) }, headers: {} });
  return {
    type: "PAGE",
    delayMs: options.delayMs,
    maximumRequest: options.maximumRequest,
    bodyPaths: [],
    first: request,
    next(page) {
      fetched += 1;
      if (endIndex !== undefined && index >= endIndex) return { kind: "stop", reason: "end-page-index" };
      if (endHeader !== undefined) {
        const announced = page.headers[endHeader];
        if (announced !== undefined) {
          const count = Number(announced.trim());
          if (announced.trim() === "" || !Number.isSafeInteger(count) || count < 0)
            throw new EngineError(
              "upstream",
              `Header ${endHeader} of ${page.url} is not a page count: ${announced.slice(0, 40)}`,
              { url: page.url },
            );
          if (fetched >= count) return { kind: "stop", reason: "end-page-index" };
        }
      }
      if (page.itemCount === 0) return { kind: "stop", reason: "empty-page" };
      if (options.shortPageStops && limit !== undefined && page.itemCount < limit)
        return { kind: "stop", reason: "short-page" };
      index += 1;
      stepped = true;
      return { kind: "next", request: request() };
    },
    checkpoint: () => (stepped ? { type: "PAGE", index, fetched } : undefined),
    resume(checkpoint) {
      if (checkpoint.type !== "PAGE") throw checkpointMismatch("PAGE", checkpoint.type);
      index = checkpoint.index;
      fetched = checkpoint.fetched;
      stepped = true;
      return request();
    },
  };
}
