/**
 * Placeholder substitution (spec §4.4): `${name}` and `{name}` resolve from source params, then
 * auth params, then system values (window bounds, SCHEDULE_QUERY). Substitution is textual; nothing
 * is evaluated. An unresolved name fails before any request is sent.
 */
import { EngineError } from "./errors.ts";

export type Lookup = (name: string) => string | undefined;

const placeholderPattern = /\$\{([A-Za-z_][\w.-]*)\}|\{([A-Za-z_][\w.-]*)\}/g;

function stringify(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Builds the lookup in the precedence order of spec §4.4. */
export function layeredLookup(...layers: readonly Readonly<Record<string, unknown>>[]): Lookup {
  return (name) => {
    for (const layer of layers) {
      if (Object.hasOwn(layer, name)) {
        const value = stringify(layer[name]);
        if (value !== undefined) return value;
      }
    }
    return undefined;
  };
}

export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(placeholderPattern)].map((m) => (m[1] ?? m[2]) as string);
}

/** Names only an incremental window supplies (spec §4.7). */
const windowNames = new Set(["SCHEDULE_QUERY", "START_TIME", "END_TIME"]);

function unresolved(name: string, where: string): EngineError {
  const hint = windowNames.has(name)
    ? " (it comes from the incremental window: give the read a window, or a backfill)"
    : ": no source param, auth param or system value has that name";
  return new EngineError("params", `Unresolved placeholder "${name}" in ${where}${hint}`);
}

export function render(template: string, lookup: Lookup, where: string, encode?: (value: string) => string): string {
  return template.replace(placeholderPattern, (_match, dollar: string | undefined, bare: string | undefined) => {
    const name = (dollar ?? bare) as string;
    const value = lookup(name);
    if (value === undefined) throw unresolved(name, where);
    return encode ? encode(value) : value;
  });
}

/**
 * Renders a URL or URL part: every placeholder is URL-encoded except one that opens the template
 * (`${host}/3.0`), which supplies the scheme and host verbatim. So `https://{domain}.api…` cannot
 * be steered to another host by a value such as `evil.example/`.
 */
export function renderUrl(template: string, lookup: Lookup, where: string): string {
  const opening = /^\s*(?:\$\{([A-Za-z_][\w.-]*)\}|\{([A-Za-z_][\w.-]*)\})/.exec(template);
  if (!opening) return render(template, lookup, where, encodeURIComponent);
  const name = (opening[1] ?? opening[2]) as string;
  const head = lookup(name);
  if (head === undefined) throw unresolved(name, where);
  return head + render(template.slice(opening[0].length), lookup, where, encodeURIComponent);
}

/** Renders every string inside a JSON value (used for bodyParams objects). */
export function renderJson(value: unknown, lookup: Lookup, where: string): unknown {
  if (typeof value === "string") return render(value, lookup, where);
  if (Array.isArray(value)) return value.map((item) => renderJson(item, lookup, where));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderJson(v, lookup, where);
    return out;
  }
  return value;
}

/**
 * Reads a name→value map in any of its documented spellings: an object, a JSON(-ish, single
 * quoted) object in a string, or the legacy comma list `a=b,c=${x}`.
 */
export function parseParamMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null || value === "") return {};
  if (typeof value === "object" && !Array.isArray(value)) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      const text = stringify(v);
      if (text !== undefined) out[k] = text;
    }
    return out;
  }
  if (typeof value !== "string") throw new EngineError("spec", `${where} must be an object or a string`);
  const trimmed = value.trim();
  if (trimmed.startsWith("{")) {
    for (const candidate of [trimmed, trimmed.replace(/'/g, '"')]) {
      try {
        const parsed: unknown = JSON.parse(candidate);
        if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
          return parseParamMap(parsed, where);
      } catch {
        // try the next spelling
      }
    }
  }
  const out: Record<string, string> = {};
  const pairs = trimmed.split(",");
  for (const [index, pair] of pairs.entries()) {
    if (pair.trim() === "") continue;
    // `name=value`, or `Name: value` for headers: whichever separator comes first.
    const cuts = [pair.indexOf("="), pair.indexOf(":")].filter((i) => i >= 0);
    const cut = cuts.length === 0 ? -1 : Math.min(...cuts);
    // The entry itself is not quoted: a literal key may be written there.
    if (cut <= 0) throw new EngineError("spec", `${where} entry ${index + 1} of ${pairs.length} is not name=value`);
    out[pair.slice(0, cut).trim()] = pair.slice(cut + 1).trim();
  }
  return out;
}
