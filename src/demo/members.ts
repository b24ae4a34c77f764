/**
 * Deterministic list members shaped like Mailchimp's Marketing API (`GET /3.0/lists/{id}/members`):
 * nested `merge_fields` (with an ADDRESS object), `stats`, `location`, a `tags` array and ISO 8601
 * timestamps. Member i is always the same, so demo runs and tests are reproducible.
 */
import { createHash } from "node:crypto";

export interface DemoMember {
  readonly id: string;
  readonly email_address: string;
  readonly unique_email_id: string;
  readonly contact_id: string;
  readonly full_name: string;
  readonly web_id: number;
  readonly email_type: "html" | "text";
  readonly status: "subscribed" | "unsubscribed" | "cleaned" | "pending";
  readonly merge_fields: {
    readonly FNAME: string;
    readonly LNAME: string;
    readonly ADDRESS: {
      readonly addr1: string;
      readonly city: string;
      readonly state: string;
      readonly zip: string;
      readonly country: string;
    };
    readonly PHONE: string;
    readonly BIRTHDAY: string;
  };
  readonly stats: { readonly avg_open_rate: number; readonly avg_click_rate: number };
  readonly ip_signup: string;
  readonly timestamp_signup: string;
  readonly timestamp_opt: string;
  readonly member_rating: number;
  readonly last_changed: string;
  readonly language: string;
  readonly vip: boolean;
  readonly email_client: string;
  readonly location: {
    readonly latitude: number;
    readonly longitude: number;
    readonly gmtoff: number;
    readonly country_code: string;
    readonly timezone: string;
  };
  readonly source: string;
  readonly tags_count: number;
  readonly tags: ReadonlyArray<{ readonly id: number; readonly name: string }>;
  readonly list_id: string;
}

const firstNames = [
  "Ada",
  "Grace",
  "Alan",
  "Edsger",
  "Barbara",
  "Donald",
  "Frances",
  "Ken",
  "Margaret",
  "Linus",
  "Radia",
  "Guido",
];
const lastNames = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Dijkstra",
  "Liskov",
  "Knuth",
  "Allen",
  "Thompson",
  "Hamilton",
  "Torvalds",
  "Perlman",
  "van Rossum",
];
const cities = [
  { city: "Lisbon", state: "Lisboa", country: "PT", timezone: "Europe/Lisbon", lat: 38.72, lon: -9.14, gmtoff: 0 },
  { city: "Berlin", state: "Berlin", country: "DE", timezone: "Europe/Berlin", lat: 52.52, lon: 13.4, gmtoff: 1 },
  { city: "Austin", state: "TX", country: "US", timezone: "America/Chicago", lat: 30.27, lon: -97.74, gmtoff: -6 },
  { city: "Osaka", state: "Osaka", country: "JP", timezone: "Asia/Tokyo", lat: 34.69, lon: 135.5, gmtoff: 9 },
  { city: "Nairobi", state: "Nairobi", country: "KE", timezone: "Africa/Nairobi", lat: -1.29, lon: 36.82, gmtoff: 3 },
];
const statuses = ["subscribed", "subscribed", "subscribed", "unsubscribed", "cleaned", "pending"] as const;
const tagNames = ["customer", "newsletter", "beta", "vip", "webinar-2024"];
const clients = ["Gmail", "Apple Mail", "Outlook", "Thunderbird"];
const languages = ["en", "pt", "de", "ja", "sw"];

/** First change 2023-01-01T00:00:00Z; members change about 2.5 days apart. */
const firstChange = Date.UTC(2023, 0, 1);
const changeStepMs = 2.5 * 24 * 3600 * 1000;

/** Mailchimp writes `2024-01-02T03:04:05+00:00`. */
export function mailchimpTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

export function makeDemoMember(i: number, listId: string): DemoMember {
  const first = firstNames[i % firstNames.length] as string;
  const last = lastNames[(i * 7) % lastNames.length] as string;
  const place = cities[i % cities.length] as (typeof cities)[number];
  const email = `${first.toLowerCase()}.${last.toLowerCase().replace(/\s+/g, "")}${i}@example.com`;
  const changed = firstChange + i * changeStepMs + (i % 24) * 3600 * 1000;
  const signup = changed - (30 + (i % 200)) * 24 * 3600 * 1000;
  const tags = tagNames
    .filter((_, t) => (i + t) % (t + 2) === 0)
    .map((name) => ({ id: 1000 + tagNames.indexOf(name), name }));
  return {
    id: md5(email),
    email_address: email,
    unique_email_id: md5(`unique:${email}`).slice(0, 10),
    contact_id: md5(`contact:${email}`),
    full_name: `${first} ${last}`,
    web_id: 100_000 + i,
    email_type: i % 9 === 0 ? "text" : "html",
    status: statuses[i % statuses.length] as DemoMember["status"],
    merge_fields: {
      FNAME: first,
      LNAME: last,
      ADDRESS: {
        addr1: `${1 + (i % 300)} Market Street`,
        city: place.city,
        state: place.state,
        zip: String(10_000 + ((i * 37) % 89_999)),
        country: place.country,
      },
      PHONE: `+1 555 01${String(i % 100).padStart(2, "0")}`,
      BIRTHDAY: `${String(1 + (i % 12)).padStart(2, "0")}/${String(1 + (i % 28)).padStart(2, "0")}`,
    },
    stats: {
      avg_open_rate: Math.round(((i * 13) % 100) * 10) / 1000,
      avg_click_rate: Math.round(((i * 7) % 50) * 10) / 1000,
    },
    ip_signup: `198.51.100.${i % 255}`,
    timestamp_signup: mailchimpTime(signup),
    timestamp_opt: mailchimpTime(signup + 60_000),
    member_rating: 1 + (i % 5),
    last_changed: mailchimpTime(changed),
    language: languages[i % languages.length] as string,
    vip: i % 17 === 0,
    email_client: clients[i % clients.length] as string,
    location: {
      latitude: place.lat,
      longitude: place.lon,
      gmtoff: place.gmtoff,
      country_code: place.country,
      timezone: place.timezone,
    },
    source: i % 4 === 0 ? "API - Generic" : "Hosted Signup Form",
    tags_count: tags.length,
    tags,
    list_id: listId,
  };
}

export function makeDemoMembers(count: number, listId: string): DemoMember[] {
  return Array.from({ length: count }, (_, i) => makeDemoMember(i, listId));
}
