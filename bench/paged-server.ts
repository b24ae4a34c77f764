/**
 * Benchmark upstream: an OFFSET-paginated API (`GET /items?limit=&offset=`) over `total` records of
 * about 1 KB. Pages are serialised once at start-up (a few distinct ones, served in rotation) so the
 * server costs a buffer write per request. Runs as its own process: `tsx bench/paged-server.ts TOTAL`
 * prints `{"port":N}` on stdout when it listens.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

export const pageSize = 1000;
const distinctPages = 8;

function benchRecord(i: number): Record<string, unknown> {
  return {
    id: i,
    email: `user${i}@example.com`,
    first_name: `First${i}`,
    last_name: `Last${i}`,
    status: i % 7 === 0 ? "unsubscribed" : "subscribed",
    score: (i % 1000) / 10,
    created_at: "2024-01-02T03:04:05.678Z",
    updated_at: "2024-06-07T08:09:10.111Z",
    tags: ["alpha", "beta", "gamma"].slice(0, (i % 3) + 1),
    address: { street: `${i} Main Street`, city: "Springfield", zip: "12345", country: "US" },
    preferences: { newsletter: true, frequency: "weekly", channels: ["email", "sms"] },
    notes:
      "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.",
  };
}

function serialisePage(first: number, count: number, total: number): Buffer {
  const items = Array.from({ length: count }, (_, k) => benchRecord(first + k));
  return Buffer.from(JSON.stringify({ items, total }));
}

function main(): void {
  const total = Number(process.argv[2] ?? "200000");
  const full = Array.from({ length: distinctPages }, (_, p) => serialisePage(p * pageSize, pageSize, total));
  const rest = total % pageSize;
  const last = rest === 0 ? undefined : serialisePage(total - rest, rest, total);
  const empty = serialisePage(0, 0, total);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const offset = Number(url.searchParams.get("offset") ?? "0");
    const page = Math.floor(offset / pageSize);
    const body =
      offset >= total ? empty : offset + pageSize > total && last ? last : (full[page % distinctPages] as Buffer);
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
}

// Only as a program: bench/engine.ts imports `pageSize` from here.
if (process.argv[1] === fileURLToPath(import.meta.url)) main();
