/**
 * Values an expression works with and the conversions between them. A value is what JSON gives
 * (string, number, boolean, null, object, array) plus a date-time, held as a Date and written out
 * in the form the destination wants. Conversions are lossless or fail: `to_integer("3.5")` is an
 * error, not 3. A failure carries a short problem; the interpreter adds where it happened.
 */

export type Value = unknown;

export class ConversionError extends Error {
  override readonly name = "ConversionError";
}

const fail = (problem: string): never => {
  throw new ConversionError(problem);
};

export function kindOf(value: Value): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return "a date-time";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return "text";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

/** A short, safe rendering of a value for failure reasons (never the whole of a huge string). */
export function preview(value: Value, max = 40): string {
  let text: string;
  if (value === undefined) text = "null";
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// JSON's number grammar, with a leading "+" allowed; surrounding whitespace is trimmed first.
const numberPattern = /^[+-]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!numberPattern.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

export function toText(value: Value): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : fail("not a finite number");
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Date) return isoString(value);
  return fail(`expects text, got ${kindOf(value)}`);
}

export function toInteger(value: Value): number | null {
  if (value === null || value === undefined) return null;
  let number: number;
  if (typeof value === "number") number = value;
  else if (typeof value === "string") number = parseNumber(value) ?? fail("not an integer");
  else if (typeof value === "boolean") return value ? 1 : 0;
  else if (value instanceof Date) number = value.getTime();
  else return fail(`expects an integer, got ${kindOf(value)}`);
  if (!Number.isInteger(number)) return fail("not an integer");
  if (!Number.isSafeInteger(number)) return fail("integer out of range (more than 2^53)");
  return number;
}

export function toFloat(value: Value): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : fail("not a finite number");
  if (typeof value === "string") return parseNumber(value) ?? fail("not a number");
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return fail(`expects a number, got ${kindOf(value)}`);
}

const trueWords = new Set(["true", "yes", "1"]);
const falseWords = new Set(["false", "no", "0"]);

export function toBool(value: Value): boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (value === 1) return true;
    if (value === 0) return false;
    return fail("not a boolean (numbers must be 0 or 1)");
  }
  if (typeof value === "string") {
    const word = value.trim().toLowerCase();
    if (trueWords.has(word)) return true;
    if (falseWords.has(word)) return false;
    return fail("not a boolean (expects true/false, yes/no or 1/0)");
  }
  return fail(`expects a boolean, got ${kindOf(value)}`);
}

export type EpochUnit = "s" | "ms";

/** Epoch values below this are read as seconds, from it up as milliseconds (1e11 s is the year 5138). */
const secondsLimit = 1e11;
/** ISO 8601 and RFC 3339 (and so the dataset's date-time format) have four-digit years. */
const minTime = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const maxTime = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const dayMs = 86_400_000;

function fromEpoch(value: number, unit: EpochUnit | undefined): Date {
  if (!Number.isFinite(value)) return fail("not a finite number");
  const ms = (unit ?? (Math.abs(value) < secondsLimit ? "s" : "ms")) === "s" ? value * 1000 : value;
  if (ms < minTime || ms > maxTime) return fail("epoch time out of range (years 0000 to 9999)");
  return new Date(Math.trunc(ms));
}

// Calendar arithmetic (H. Hinnant's days_from_civil / civil_from_days): plain integer maths, much
// faster per record than Date's setters or toISOString, and right for years 0-99 (Date.UTC is not).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The number in `count` ASCII digits at `at`, or -1. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

const notIso = "not an ISO 8601 date-time or epoch time";

/** `YYYY-MM-DD[(T|t| )HH:MM[:SS[.fraction]][Z|±HH[:]MM]]`; no offset means UTC. */
function fromIso(text: string): Date {
  const n = text.length;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (n < 10 || year < 0 || month < 0 || day < 0 || text[4] !== "-" || text[7] !== "-") return fail(notIso);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return fail("not a valid calendar date");
  let hours = 0;
  let minutes = 0;
  let seconds = 0;
  let ms = 0;
  let offset = 0;
  let at = 10;
  if (n > 10) {
    const separator = text[10];
    if (separator !== "T" && separator !== "t" && separator !== " ") return fail(notIso);
    hours = digitsAt(text, 11, 2);
    minutes = digitsAt(text, 14, 2);
    if (n < 16 || hours < 0 || minutes < 0 || text[13] !== ":") return fail(notIso);
    at = 16;
    if (text[at] === ":") {
      seconds = digitsAt(text, 17, 2);
      if (seconds < 0 || n < 19) return fail(notIso);
      at = 19;
      if (text[at] === ".") {
        const from = ++at;
        while (at < n && at - from < 9 && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) at++;
        if (at === from) return fail(notIso);
        ms = digitsAt(`${text.slice(from, Math.min(at, from + 3))}00`, 0, 3);
      }
    }
    if (hours > 23 || minutes > 59 || seconds > 59) return fail("not a valid time of day");
    const zone = text[at];
    if (zone === "Z" || zone === "z") at++;
    else if (zone === "+" || zone === "-") {
      const offsetHours = digitsAt(text, at + 1, 2);
      const colon = text[at + 3] === ":" ? 1 : 0;
      const offsetMinutes = digitsAt(text, at + 3 + colon, 2);
      if (offsetHours < 0 || offsetMinutes < 0) return fail(notIso);
      if (offsetHours > 23 || offsetMinutes > 59) return fail("not a valid UTC offset");
      offset = (zone === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
      at += 5 + colon;
    }
  }
  if (at !== n) return fail(notIso);
  const time = daysFromCivil(year, month, day) * dayMs + ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms - offset;
  if (time < minTime || time > maxTime) return fail("date-time out of range (years 0000 to 9999)");
  return new Date(time);
}

const pad2 = (value: number) => (value < 10 ? `0${value}` : `${value}`);

/** `YYYY-MM-DDTHH:MM:SS.mmmZ`, like toISOString but for four-digit years only, and faster. */
export function isoString(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) return fail("not a valid date-time");
  if (time < minTime || time > maxTime) return fail("date-time out of range (years 0000 to 9999)");
  const days = Math.floor(time / dayMs);
  let rest = time - days * dayMs;
  // civil_from_days
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const ms = rest % 1000;
  rest = (rest - ms) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  const yearText = year < 1000 ? `${year}`.padStart(4, "0") : `${year}`;
  const msText = ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : `${ms}`;
  return `${yearText}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${msText}Z`;
}

/**
 * ISO 8601 text (no offset means UTC) or epoch time (a number or numeric text; seconds below 1e11,
 * milliseconds from it, unless `unit` says which) to a date-time.
 */
export function toDateTime(value: Value, unit?: EpochUnit): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === "number") return fromEpoch(value, unit);
  if (typeof value === "string") {
    const text = value.trim();
    if (text.length >= 10 && text.charCodeAt(4) === 45 /* - */) return fromIso(text);
    const number = parseNumber(text);
    return number === undefined ? fail(notIso) : fromEpoch(number, unit);
  }
  return fail(`expects a date-time, got ${kindOf(value)}`);
}
