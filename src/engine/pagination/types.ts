/** The paginator contract: each type is one module; read.ts drives them. */
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
  /** An absolute URL to fetch instead of the base URL (POINTER). */
  readonly url?: string;
}

export interface PageResult {
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
  readonly delayMs: number;
  readonly maximumRequest: number;
  first(): PageRequest;
  next(page: PageResult): PageStep;
}

export const paginationTypes = ["OFFSET", "POINTER", "CONTINUATION_TOKEN", "PAGE", "NONE"] as const;
export type PaginationType = (typeof paginationTypes)[number];
