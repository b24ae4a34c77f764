/**
 * The console's client-side routes. The server answers index.html for exactly these paths
 * (src/api/console.ts `consoleRoutes`), so a reload or a shared link lands on the same page.
 */

export type Route =
  | { readonly name: "catalog" }
  | { readonly name: "wizard"; readonly specId: string }
  | { readonly name: "dataflows" }
  | { readonly name: "dataflow"; readonly id: string }
  | { readonly name: "playground" }
  | { readonly name: "notFound"; readonly path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/" || path === "/sources" || path === "/signin") return { name: "catalog" };
  let match = /^\/sources\/([^/]+)$/.exec(path);
  if (match) return { name: "wizard", specId: decodeURIComponent(match[1] as string) };
  if (path === "/dataflows") return { name: "dataflows" };
  match = /^\/dataflows\/([^/]+)$/.exec(path);
  if (match) return { name: "dataflow", id: decodeURIComponent(match[1] as string) };
  if (path === "/playground") return { name: "playground" };
  return { name: "notFound", path };
}

export const hrefs = {
  catalog: "/sources",
  wizard: (specId: string) => `/sources/${encodeURIComponent(specId)}`,
  dataflows: "/dataflows",
  dataflow: (id: string) => `/dataflows/${encodeURIComponent(id)}`,
  playground: "/playground",
} as const;
