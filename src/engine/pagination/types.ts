/** The paginator contract: each type is one module; read.ts drives them. */
import type { CompiledPath } from "../json-path.ts";

export const stopReasons = [
  "end-condition",
  "empty-page",
  "short-page",
  "no-next-token",
  "end-page-index",
  "maximum-request",
  "record-limit",
  "single-page",
  "error",
] as const;
export type StopReason = (typeof stopReasons)[number];

/** What the next request changes relative to the spec's base request. */
export interface PageRequest {
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** An absolute URL to fetch instead of the base URL and its query (POINTER). */
  readonly url?: string;
}

export interface PageResult {
  /** The URL of the page as the spec built it, before auth added anything. */
  readonly url: string;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  /** Elements found at contentPath (before explode), the unit the page size counts. */
  readonly itemCount: number;
}

export type PageStep =
  | { readonly kind: "next"; readonly request: PageRequest }
  | { readonly kind: "stop"; readonly reason: StopReason };

export interface Paginator {
  readonly type: PaginationType;
  /** `delayRequestMillis`: the wait between two consecutive page requests. */
  readonly delayMs: number;
  /** `maximumRequest`: at most this many page requests per read. */
  readonly maximumRequest: number;
  /**
   * The JSONPaths `next` reads in page bodies: a reader that hands over records without parsing
   * them (read.ts's JSON pages) gives `next` the body without the records, unless one of these
   * starts at the records' root member.
   */
  readonly bodyPaths: readonly CompiledPath[];
  first(): PageRequest;
  next(page: PageResult): PageStep;
  /**
   * Where the read stands after the last `next` that returned a request: enough to send that
   * request again in another process (`resume`). Undefined before any step, and always for NONE.
   */
  checkpoint(): PageCheckpoint | undefined;
  /** The request a checkpoint of this type names; the paginator continues from there. */
  resume(checkpoint: PageCheckpoint): PageRequest;
}

/**
 * A serialisable point to resume a read at: the next page to fetch, per pagination type. Loop
 * detection (seen tokens and URLs) is not part of it: a resumed read starts that state fresh.
 */
export type PageCheckpoint =
  | { readonly type: "OFFSET"; readonly offset: number }
  | { readonly type: "PAGE"; readonly index: number; readonly fetched: number }
  | { readonly type: "CONTINUATION_TOKEN"; readonly token: string }
  | { readonly type: "POINTER"; readonly url: string };

/** What every type's constructor gets besides its own fields. */
export interface PaginatorOptions {
  readonly delayMs: number;
  readonly maximumRequest: number;
  /** False when the spec has an end condition: the API then says when it is done, not the page size. */
  readonly shortPageStops: boolean;
}

export const paginationTypes = ["OFFSET", "POINTER", "CONTINUATION_TOKEN", "PAGE", "NONE"] as const;
export type PaginationType = (typeof paginationTypes)[number];
