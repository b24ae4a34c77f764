/** Query parameters whose values are safe to log (list conventions, actions, Catalog filters). */
const loggableQueryParams = new Set([
  "limit",
  "orderby",
  "orderBy",
  "count",
  "property",
  "start",
  "op",
  "dataSet",
  "objectType",
  "object",
  "fileType",
  "preview",
]);

/** A request URL for logs: other query values (e.g. explore's base64 `sourceParams`) are replaced. */
export function loggableUrl(url: string): string {
  const query = url.indexOf("?");
  if (query === -1) return url;
  const params = new URLSearchParams(url.slice(query + 1));
  for (const [name] of params) if (!loggableQueryParams.has(name)) params.set(name, "…");
  return `${url.slice(0, query)}?${params.toString()}`;
}
