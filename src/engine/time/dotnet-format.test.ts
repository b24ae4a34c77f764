import { describe, expect, it } from "vitest";
import { EngineError } from "../errors.ts";
import { formatDotNet } from "./dotnet-format.ts";

const a = new Date("2024-01-02T03:04:05.678Z");
const b = new Date("2024-07-15T14:30:00.000Z");
const c = new Date("2009-06-15T13:45:30.050Z");

// [pattern, instant, zone, expected]; expectations follow the .NET custom format docs.
const table: [string, Date, string, string][] = [
  ["yyyy-MM-ddTHH:mm:ssZ", a, "UTC", "2024-01-02T03:04:05Z"],
  ["yyyy-MM-ddTHH:mm:ss:fffffffK", a, "UTC", "2024-01-02T03:04:05:6780000Z"],
  ["yyyy-MM-ddTHH:mm:ssK", a, "UTC", "2024-01-02T03:04:05Z"],
  ["yyyy-MM-ddTHH:mm:ssK", a, "America/New_York", "2024-01-01T22:04:05-05:00"],
  ["yyyy-MM-ddTHH:mm:ssK", b, "America/New_York", "2024-07-15T10:30:00-04:00"],
  ["yyyy-MM-ddTHH:mm:ssK", b, "Asia/Kolkata", "2024-07-15T20:00:00+05:30"],
  ["yy M d H m s", a, "UTC", "24 1 2 3 4 5"],
  ["y", new Date("2005-03-01T00:00:00Z"), "UTC", "5"],
  ["yyyyy", a, "UTC", "02024"],
  ["hh:mm tt", b, "UTC", "02:30 PM"],
  ["h:mm t", a, "UTC", "3:04 A"],
  ["hh tt", new Date("2024-01-02T00:15:00Z"), "UTC", "12 AM"],
  ["HH:mm:ss.f", a, "UTC", "03:04:05.6"],
  ["ss.ff", a, "UTC", "05.67"],
  ["ss.fff", c, "UTC", "30.050"],
  ["ss.FFF", c, "UTC", "30.05"],
  ["ss.FFFFFFF", a, "UTC", "05.678"],
  ["ss.FFF", b, "UTC", "00"],
  ["ssFFF", b, "UTC", "00"],
  ["zzz", b, "Asia/Kolkata", "+05:30"],
  ["zz", a, "America/New_York", "-05"],
  ["z", a, "America/New_York", "-5"],
  ["zzz", a, "UTC", "+00:00"],
  ["yyyy-MM-dd'T'HH:mm:ss'Z'", a, "UTC", "2024-01-02T03:04:05Z"],
  ['yyyy"y"MM', a, "UTC", "2024y01"],
  ["\\y\\M yyyy", a, "UTC", "yM 2024"],
  ["ddd, dd MMM yyyy", a, "UTC", "Tue, 02 Jan 2024"],
  ["dddd MMMM", b, "UTC", "Monday July"],
  ["yyyyMMddHHmmss", c, "UTC", "20090615134530"],
  ["'at' HH 'o''clock'", a, "UTC", "at 03 oclock"],
  ["yyyy-MM-ddTHH:mm:ss.fffK", c, "Europe/Paris", "2009-06-15T15:45:30.050+02:00"],
  ["yyyy-MM-ddTHH:mm:ss.fffffffzzz", a, "Asia/Kolkata", "2024-01-02T08:34:05.6780000+05:30"],
  ["ss.FFFFFFF", c, "UTC", "30.05"],
  ["%d", a, "UTC", "2"],
  ["%H%m", a, "UTC", "34"],
  ["T Z g W", a, "UTC", "T Z g W"],
  ["yyyy/MM/dd HH:mm", a, "UTC", "2024/01/02 03:04"],
  ["MMM M", c, "UTC", "Jun 6"],
  ["", a, "UTC", ""],
];

describe("formatDotNet", () => {
  it.each(table)("renders %j at %s in %s", (pattern, instant, zone, expected) => {
    expect(formatDotNet(instant, pattern, zone)).toBe(expected);
  });

  it("defaults to UTC", () => {
    expect(formatDotNet(a, "HH:mmK")).toBe("03:04Z");
  });

  it("rejects an unterminated quote with a spec error", () => {
    expect(() => formatDotNet(a, "yyyy 'oops")).toThrow(EngineError);
  });

  it("rejects eight fractional digits", () => {
    expect(() => formatDotNet(a, "ss.ffffffff")).toThrow(/at most 7/);
  });

  it("rejects an unknown time zone", () => {
    expect(() => formatDotNet(a, "HH", "Mars/Olympus")).toThrow(/time zone/);
  });

  it("rejects an invalid date", () => {
    expect(() => formatDotNet(new Date("nope"), "HH")).toThrow(/invalid date/);
  });
});
