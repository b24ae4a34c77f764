#!/usr/bin/env node
// Adds lockfile entries for optional platform packages that `npm install` left out.
// Why: the registry reachable from our machines serves only the linux builds of packages such as
// @biomejs/cli-* and @duckdb/node-bindings-* (the others answer 404), so `npm install` writes a
// lockfile without them, and `npm ci` then refuses it as "out of sync". An entry carrying the
// package's os/cpu/libc makes `npm ci` accept the lockfile and skip the package on this platform,
// exactly as it would with a lockfile written where every build is reachable.
// Usage: npm install && node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs";

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const packages = lock.packages;

const platformOf = (name) => {
  const m =
    /-(android|darwin|linux|win32|freebsd|openbsd|sunos|aix|netbsd)-(arm64|x64|arm|ia32|ppc64|s390x|riscv64|loong64|mips64el|wasm32)(-(musl|gnu|msvc))?$/.exec(
      name,
    );
  if (!m) return undefined;
  const entry = { os: [m[1]], cpu: [m[2]] };
  if (m[1] === "linux") entry.libc = [m[4] === "musl" ? "musl" : "glibc"];
  return entry;
};

let added = 0;
for (const [path, pkg] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const base = path === "" ? "node_modules" : `${path}/node_modules`;
    if (packages[`${base}/${dep}`] || packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    packages[`node_modules/${dep}`] = { version, optional: true, ...platform };
    added += 1;
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entr${added === 1 ? "y" : "ies"}`);
