import { FlowError } from "../errors.ts";

/** On the wire an etag carries its literal double quotes (spec §1.1): `"\"4000cff7-…\""`. */
export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

/** The etag an If-Match header names, compared with or without quotes; `*` means any. */
export function parseIfMatch(header: string | string[] | undefined): string | "*" | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim().replace(/^W\//, "");
  if (trimmed === "*") return "*";
  return trimmed.replace(/^"+|"+$/g, "").replace(/^\\"|\\"$/g, "");
}

/** PATCH on instance resources needs If-Match (1403); PUT on specs honours it when given. */
export function requireIfMatch(header: string | string[] | undefined): string | undefined {
  const etag = parseIfMatch(header);
  if (etag === undefined) throw new FlowError("ifMatchMissing", "The If-Match header is required for this update.");
  return etag === "*" ? undefined : etag;
}

export function optionalIfMatch(header: string | string[] | undefined): string | undefined {
  const etag = parseIfMatch(header);
  return etag === "*" ? undefined : etag;
}
