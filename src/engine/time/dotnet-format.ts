/**
 * Renders an instant with a .NET custom date-format string (spec §4.7: `yyyy-MM-ddTHH:mm:ss:fffffffK`).
 * Our own tokenizer: translating into luxon/date-fns tokens mis-reads bare `T`/`Z` and `f` (libraries.md §1.7).
 * luxon only supplies the wall-clock fields and offset of the instant in the zone.
 */
import { DateTime } from "luxon";
import { EngineError } from "../errors.ts";

/** Longest meaningful run per letter; .NET reads a longer run as the longest (y pads to any width). */
const maxRun: Readonly<Record<string, number>> = {
  y: Number.POSITIVE_INFINITY,
  M: 4,
  d: 4,
  H: 2,
  h: 2,
  m: 2,
  s: 2,
  f: 7,
  F: 7,
  t: 2,
  z: 3,
};
const monthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const dayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** Names (MMM, MMMM, ddd, dddd) are the invariant culture's English ones. */
function name(names: readonly string[], index: number, count: number): string {
  const full = names[index] ?? "";
  return count === 3 ? full.slice(0, 3) : full;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

function offsetText(minutes: number, withMinutes: boolean, padHours: boolean): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  const hours = Math.trunc(abs / 60);
  const head = `${sign}${padHours ? pad(hours, 2) : String(hours)}`;
  return withMinutes ? `${head}:${pad(abs % 60, 2)}` : head;
}

function zoned(instant: Date, zone: string): DateTime {
  if (Number.isNaN(instant.getTime())) throw new EngineError("params", "Cannot format an invalid date");
  const value = DateTime.fromJSDate(instant, { zone });
  if (!value.isValid) throw new EngineError("params", `Unknown time zone "${zone}"`);
  return value;
}

/** Seven-digit fraction of the second; a JS Date holds milliseconds, so digits past the third are 0. */
function fraction(value: DateTime, digits: number, trim: boolean): string {
  const text = pad(value.millisecond, 3).padEnd(7, "0").slice(0, digits);
  return trim ? text.replace(/0+$/, "") : text;
}

function field(value: DateTime, letter: string, count: number, utc: boolean): string {
  switch (letter) {
    case "y":
      return count === 1 ? String(value.year % 100) : count === 2 ? pad(value.year % 100, 2) : pad(value.year, count);
    case "M":
      return count >= 3 ? name(monthNames, value.month - 1, count) : pad(value.month, count);
    case "d":
      return count >= 3 ? name(dayNames, value.weekday - 1, count) : pad(value.day, count);
    case "H":
      return pad(value.hour, count);
    case "h":
      return pad(value.hour % 12 === 0 ? 12 : value.hour % 12, count);
    case "m":
      return pad(value.minute, count);
    case "s":
      return pad(value.second, count);
    case "f":
      return fraction(value, count, false);
    case "F":
      return fraction(value, count, true);
    case "t": {
      const designator = value.hour < 12 ? "AM" : "PM";
      return count === 1 ? designator.slice(0, 1) : designator;
    }
    case "z":
      return offsetText(value.offset, count === 3, count >= 2);
    case "K":
      return utc ? "Z" : offsetText(value.offset, true, true);
    default:
      throw new Error(`unreachable token ${letter}`);
  }
}

/**
 * Formats `instant` in `zone` (IANA name, default UTC). Tokens: yyyy yy y MM M dd d HH H hh h mm m ss s
 * f…fffffff F…FFFFFFF tt t K z zz zzz (and MMM MMMM ddd dddd, invariant English names); '…' and "…" are
 * literals, `\x` escapes x, `%x` is the specifier x alone; any other character (T, Z, -, :) is literal.
 */
export function formatDotNet(instant: Date, pattern: string, zone = "UTC"): string {
  const value = zoned(instant, zone);
  const utc = zone.toUpperCase() === "UTC" || zone === "Z" || zone.toLowerCase() === "etc/utc";
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern.charAt(i);
    if (ch === "'" || ch === '"') {
      const close = pattern.indexOf(ch, i + 1);
      if (close < 0) throw new EngineError("spec", `Unterminated quoted literal in date format "${pattern}"`);
      out += pattern.slice(i + 1, close);
      i = close + 1;
    } else if (ch === "\\") {
      if (i + 1 >= pattern.length) throw new EngineError("spec", `Date format "${pattern}" ends with a backslash`);
      out += pattern.charAt(i + 1);
      i += 2;
    } else if (ch === "%" && (maxRun[pattern.charAt(i + 1)] !== undefined || pattern.charAt(i + 1) === "K")) {
      // "%d" is the custom specifier d on its own, as in .NET; the % itself renders nothing.
      i += 1;
    } else if (ch === "K") {
      out += field(value, "K", 1, utc);
      i += 1;
    } else if (maxRun[ch] !== undefined) {
      let count = 1;
      while (pattern.charAt(i + count) === ch) count += 1;
      const limit = maxRun[ch] ?? 1;
      if (count > limit && (ch === "f" || ch === "F"))
        throw new EngineError("spec", `Date format "${pattern}" has more than seven ${ch} (at most 7)`);
      const text = field(value, ch, Math.min(count, limit), utc);
      // .NET drops the dot before an F run that renders nothing ("ss.FFF" → "05" on a whole second).
      if (ch === "F" && text === "" && out.endsWith(".")) out = out.slice(0, -1);
      out += text;
      i += count;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}
