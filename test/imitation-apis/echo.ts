/**
 * An API that answers every request with `status` and a JSON body echoing the request back (URL,
 * headers, body), as debugging endpoints and careless error pages do: the worst case for secrets
 * in error excerpts. With `status` 200 the echo sits under `items`.
 */
import { type Imitation, sendJson, startImitation } from "./server.ts";

export function startEcho(status: number): Promise<Imitation> {
  return startImitation((req, res) => {
    const echo = { method: req.method, url: req.url, headers: req.headers, body: req.body };
    sendJson(res, status, status === 200 ? { items: [echo] } : { error: "rejected", echo });
  });
}
