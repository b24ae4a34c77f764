/**
 * CONTINUATION_TOKEN (spec §4.6): the token at `continuationTokenPath` goes in the query param or
 * header (`parameterType` QUERYPARAM or HEADERPARAM) named `parameterName`. A missing or empty
 * token ends the read, and so does an empty page; the same token twice is a loop.
 */
import { EngineError } from "../errors.ts";
import { compilePath } from "../json-path.ts";
import { checkpointMismatch, type Fields, isEmptyValue, limitParam, optionalString, requiredString } from "./fields.ts";
import type { Paginator, PaginatorOptions } from "./types.ts";

export function continuationTokenPaginator(fields: Fields, options: PaginatorOptions): Paginator {
  const path = compilePath(
    requiredString(fields, "CONTINUATION_TOKEN", "continuationTokenPath"),
    "paginationParams.continuationTokenPath",
  );
  const name = requiredString(fields, "CONTINUATION_TOKEN", "parameterName");
  const placement = (optionalString(fields, "parameterType") ?? "QUERYPARAM").toUpperCase();
  if (placement !== "QUERYPARAM" && placement !== "HEADERPARAM") {
    throw new EngineError(
      "spec",
      `paginationParams.parameterType must be QUERYPARAM or HEADERPARAM (got ${placement})`,
    );
  }
  const { query } = limitParam(fields);
  const seen = new Set<string>();
  let current: string | undefined;
  const request = (token: string) =>
    placement === "QUERYPARAM"
      ? { query: { ...query, [name]: token }, headers: {} }
      : { query, headers: { [name]: token } };
  return {
    type: "CONTINUATION_TOKEN",
    delayMs: options.delayMs,
    maximumRequest: options.maximumRequest,
    bodyPaths: [path],
    first: () => ({ query, headers: {} }),
    next(page) {
      if (page.itemCount === 0) return { kind: "stop", reason: "empty-page" };
      const raw = path.first(page.body);
      if (isEmptyValue(raw)) return { kind: "stop", reason: "no-next-token" };
      if (typeof raw !== "string" && typeof raw !== "number")
        throw new EngineError(
          "upstream",
          `continuationTokenPath ${path.source} is not a string in the response of ${page.url}`,
          {
            url: page.url,
          },
        );
      const token = String(raw);
      if (seen.has(token))
        throw new EngineError("loop", `Pagination loop: the continuation token at ${path.source} repeated`, {
          url: page.url,
        });
      seen.add(token);
      current = token;
      return { kind: "next", request: request(token) };
    },
    checkpoint: () => (current === undefined ? undefined : { type: "CONTINUATION_TOKEN", token: current }),
    resume(checkpoint) {
      if (checkpoint.type !== "CONTINUATION_TOKEN") throw checkpointMismatch("CONTINUATION_TOKEN", checkpoint.type);
      current = checkpoint.token;
      seen.add(current);
      return request(current);
    },
  };
}
