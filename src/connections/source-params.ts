/**
 * The `sourceParams` query parameter of explore (spec §5): base64 of a JSON object. Accepted:
 * standard and URL-safe alphabets, padded or not, `=` sent as `%3D` (also when percent-encoded
 * twice), and `+` that a query-string parser turned into a space.
 */
import { FlowError } from "../errors.ts";
import { isObject } from "./secret-fields.ts";

function refuse(why: string): never {
  throw new FlowError("badQueryParam", `The query parameter sourceParams ${why}.`, { parameter: "sourceParams" });
}

export function decodeSourceParams(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined || raw.trim() === "") return {};
  let text = raw.trim();
  // Base64 has no `%`, so decoding again while escapes remain cannot change a valid value.
  for (let round = 0; round < 3 && /%[0-9A-Fa-f]{2}/.test(text); round++) {
    try {
      text = decodeURIComponent(text);
    } catch {
      refuse("is not valid percent-encoding");
    }
  }
  const normalised = text.replace(/ /g, "+").replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(normalised) || normalised.length % 4 === 1) {
    refuse('is not base64 (expected e.g. eyJsaXN0SWQiOiJhYmMifQ== for {"listId":"abc"}, or e30= for none)');
  }
  let json: string;
  try {
    json = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(normalised, "base64"));
  } catch {
    refuse("does not decode to UTF-8 text");
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    refuse("does not decode to JSON");
  }
  if (!isObject(value)) refuse('must encode a JSON object such as {"listId":"abc"} (e30= for none)');
  return value;
}
