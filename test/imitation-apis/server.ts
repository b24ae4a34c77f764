/**
 * A node:http server on 127.0.0.1 (port 0) for imitation APIs. Every imitation returns
 * `{url, close, stats}`; stats counts requests and keeps their URLs and headers for assertions.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RequestRecord {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface ImitationStats {
  requests: number;
  readonly log: RequestRecord[];
}

export interface Imitation {
  readonly url: string;
  readonly stats: ImitationStats;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse, url: URL) => void | Promise<void>;

export async function startImitation(handler: Handler): Promise<Imitation> {
  const stats: ImitationStats = { requests: 0, log: [] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      stats.requests += 1;
      stats.log.push({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body });
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      Promise.resolve(handler(Object.assign(req, { body }), res, url)).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}
