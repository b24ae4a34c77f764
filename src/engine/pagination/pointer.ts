/**
 * POINTER (spec §4.6): the first request carries `limitName=limitValue`; each response's value at
 * `pointerPath` is the next page, an absolute URL or one relative to the page's URL, fetched with
 * the spec's headers and auth re-applied. A missing or empty pointer ends the read; a pointer back
 * to a URL already fetched is a loop; a pointer to another origin is refused, since following it
 * would hand the credentials to another host.
 */
import { EngineError } from "../errors.ts";
import { compilePath } from "../json-path.ts";
import { checkpointMismatch, type Fields, isEmptyValue, limitParam, requiredString } from "./fields.ts";
import type { Paginator, PaginatorOptions } from "./types.ts";

export function pointerPaginator(fields: Fields, options: PaginatorOptions): Paginator {
  const path = compilePath(requiredString(fields, "POINTER", "pointerPath", "pointer"), "paginationParams.pointerPath");
  const { query } = limitParam(fields);
  const seen = new Set<string>();
  let nextUrl: string | undefined;
  return {
    type: "POINTER",
    delayMs: options.delayMs,
    maximumRequest: options.maximumRequest,
    bodyPaths: [path],
    first: () => ({ query, headers: {} }),
    next(page) {
      seen.add(page.url);
      if (page.itemCount === 0) return { kind: "stop", reason: "empty-page" };
      const pointer = path.first(page.body);
      if (isEmptyValue(pointer)) return { kind: "stop", reason: "no-next-token" };
      if (typeof pointer !== "string")
        throw new EngineError(
          "upstream",
          `pointerPath ${path.source} is not a URL string in the response of ${page.url}`,
          {
            url: page.url,
          },
        );
      let next: URL;
      try {
        next = new URL(pointer, page.url);
      } catch {
        throw new EngineError(
          "upstream",
          `pointerPath ${path.source} holds no usable URL in the response of ${page.url}`,
          {
            url: page.url,
          },
        );
      }
      const current = new URL(page.url);
      if (next.origin !== current.origin)
        throw new EngineError(
          "upstream",
          `The next-page pointer of ${page.url} leads to another origin (${next.origin}); refusing to send credentials there`,
          { url: page.url },
        );
      const url = next.toString();
      if (seen.has(url))
        throw new EngineError("loop", `Pagination loop: the next-page pointer ${url} was already fetched`, { url });
      nextUrl = url;
      return { kind: "next", request: { query: {}, headers: {}, url } };
    },
    checkpoint: () => (nextUrl === undefined ? undefined : { type: "POINTER", url: nextUrl }),
    resume(checkpoint) {
      if (checkpoint.type !== "POINTER") throw checkpointMismatch("POINTER", checkpoint.type);
      nextUrl = checkpoint.url;
      return { query: {}, headers: {}, url: nextUrl };
    },
  };
}
