/**
 * Mailchimp Marketing API imitation: GET /3.0/lists/{id}/members (offset/count, total_items,
 * _links) and GET /3.0/reports/{id}/email-activity (emails[].activity[]), Basic auth with any user.
 */
import { type Imitation, sendJson, startImitation } from "./server.ts";

export interface MailchimpOptions {
  readonly members?: number;
  readonly emails?: number;
  readonly activitiesPerEmail?: number;
  readonly apiKey?: string;
}

export function makeMember(i: number): Record<string, unknown> {
  return {
    id: `m${i}`,
    email_address: `user${i}@example.com`,
    status: "subscribed",
    merge_fields: { FNAME: `First${i}`, LNAME: `Last${i}` },
    list_id: "L1",
    _links: [{ rel: "self", href: `/3.0/lists/L1/members/m${i}` }],
  };
}

export function startMailchimp(options: MailchimpOptions = {}): Promise<Imitation> {
  const members = options.members ?? 25;
  const emails = options.emails ?? 3;
  const perEmail = options.activitiesPerEmail ?? 2;
  return startImitation((req, res, url) => {
    const auth = req.headers.authorization ?? "";
    const expected = options.apiKey ?? "key-us6";
    const decoded = auth.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString() : "";
    if (!decoded.endsWith(`:${expected}`)) return sendJson(res, 401, { title: "API Key Missing", status: 401 });
    const count = Number(url.searchParams.get("count") ?? "10");
    const offset = Number(url.searchParams.get("offset") ?? "0");
    const membersMatch = /^\/3\.0\/lists\/([^/]+)\/members$/.exec(url.pathname);
    if (membersMatch) {
      const page = Array.from({ length: Math.max(0, Math.min(count, members - offset)) }, (_, k) =>
        makeMember(offset + k),
      );
      return sendJson(res, 200, {
        members: page,
        list_id: membersMatch[1],
        total_items: members,
        _links: [{ rel: "self" }],
      });
    }
    const activity = /^\/3\.0\/reports\/([^/]+)\/email-activity$/.exec(url.pathname);
    if (activity) {
      const page = Array.from({ length: Math.max(0, Math.min(count, emails - offset)) }, (_, k) => ({
        campaign_id: activity[1],
        email_id: `e${offset + k}`,
        email_address: `user${offset + k}@example.com`,
        activity: Array.from({ length: perEmail }, (_, a) => ({
          action: a % 2 === 0 ? "open" : "click",
          timestamp: "2024-01-01T00:00:00+00:00",
        })),
      }));
      return sendJson(res, 200, { emails: page, campaign_id: activity[1], total_items: emails, _links: [] });
    }
    sendJson(res, 404, { title: "Resource Not Found", status: 404 });
  });
}
