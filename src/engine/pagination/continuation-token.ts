/** CONTINUATION_TOKEN (spec §4.6): the token at continuationTokenPath goes in a query param or header. */
import { EngineError } from "../errors.ts";
import { compilePath } from "../json-path.ts";
import { type Fields, isEmptyValue, limitParam, optionalString, requiredString } from "./fields.ts";
import type { Paginator } from "./types.ts";

export function continuationTokenPaginator(
  fields: Fields,
  common: Pick<Paginator, "delayMs" | "maximumRequest">,
): Paginator {
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
  return {
    type: "CONTINUATION_TOKEN",
    ...common,
    first: () => ({ query, headers: {} }),
    next(page) {
      if (page.itemCount === 0) return { kind: "stop", reason: "empty-page" };
      const raw = path.first(page.body);
      if (isEmptyValue(raw)) return { kind: "stop", reason: "no-next-token" };
      const token = typeof raw === "string" ? raw : JSON.stringify(raw);
      if (seen.has(token))
        throw new EngineError("loop", `Pagination loop: continuation token at ${path.source} repeated`, {
          url: page.url,
        });
      seen.add(token);
      return placement === "QUERYPARAM"
        ? { kind: "next", request: { query: { ...query, [name]: token }, headers: {} } }
        : { kind: "next", request: { query, headers: { [name]: token } } };
    },
  };
}
