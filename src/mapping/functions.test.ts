import { describe, expect, it } from "vitest";
import { compileExpression, EvaluationFailure } from "./evaluate.ts";
import { mappingFunctions } from "./functions.ts";

const now = new Date("2024-05-06T07:08:09.010Z");
const context = { now: () => now };
const run = (text: string, record: unknown = {}) => compileExpression(text, context)(record);

function failure(text: string, record: unknown = {}): EvaluationFailure {
  try {
    run(text, record);
  } catch (error) {
    if (error instanceof EvaluationFailure) return error;
    throw error;
  }
  throw new Error(`expected ${text} to fail`);
}

describe("expression functions", () => {
  it("has the documented set", () => {
    expect([...mappingFunctions.keys()]).toEqual([
      "lower",
      "upper",
      "trim",
      "concat",
      "coalesce",
      "to_string",
      "to_integer",
      "to_float",
      "to_bool",
      "to_datetime",
      "now",
    ]);
  });

  it("lower, upper, trim: text in, text out; numbers and booleans as text; null stays null", () => {
    expect(run("lower(a)", { a: "ÀbC" })).toBe("àbc");
    expect(run("upper(a)", { a: "straße" })).toBe("STRASSE");
    expect(run("trim(a)", { a: " \t x y \n" })).toBe("x y");
    expect(run("upper(a)", { a: 12.5 })).toBe("12.5");
    expect(run("lower(a)", { a: true })).toBe("true");
    expect(run("lower(missing)")).toBeNull();
    expect(run("trim(a)", { a: null })).toBeNull();
    expect(failure("lower(a)", { a: { b: 1 } })).toMatchObject({
      call: 'lower({"b":1})',
      problem: "expects text, got an object",
    });
    expect(failure("upper(a)", { a: [1] }).problem).toBe("expects text, got an array");
  });

  it("concat joins text, skips nulls, and is null only when everything is", () => {
    expect(run('concat(m.first, " ", m.last)', { m: { first: "Ann", last: "Lee" } })).toBe("Ann Lee");
    expect(run('concat(m.first, " ", m.last)', { m: { first: "Ann" } })).toBe("Ann ");
    expect(run("concat(a, b)", {})).toBeNull();
    expect(run("concat(1, true, 'x', 2.5)")).toBe("1truex2.5");
    expect(run("concat(to_datetime(0))")).toBe("1970-01-01T00:00:00.000Z");
    expect(failure("concat('a', x)", { x: { y: 1 } }).problem).toBe("expects text, got an object");
  });

  it("coalesce answers the first value that is not null; empty text counts", () => {
    expect(run("coalesce(a, b, 'd')", { b: "B" })).toBe("B");
    expect(run("coalesce(a, b)", {})).toBeNull();
    expect(run("coalesce(a, 'd')", { a: "" })).toBe("");
    expect(run("coalesce(a, 'd')", { a: 0 })).toBe(0);
    expect(run("coalesce(a, 'd')", { a: false })).toBe(false);
    expect(run("coalesce(a)", { a: { x: 1 } })).toEqual({ x: 1 });
  });

  it("to_string writes scalars and date-times as text", () => {
    expect(run("to_string(a)", { a: 42 })).toBe("42");
    expect(run("to_string(a)", { a: false })).toBe("false");
    expect(run("to_string(now())")).toBe("2024-05-06T07:08:09.010Z");
    expect(run("to_string(a)", {})).toBeNull();
    expect(failure("to_string(a)", { a: [] }).problem).toBe("expects text, got an array");
  });

  it("to_integer converts without losing anything, or fails", () => {
    expect(run("to_integer(a)", { a: "42" })).toBe(42);
    expect(run("to_integer(a)", { a: " -7 " })).toBe(-7);
    expect(run("to_integer(a)", { a: "+3" })).toBe(3);
    expect(run("to_integer(a)", { a: "1e3" })).toBe(1000);
    expect(run("to_integer(a)", { a: "3.0" })).toBe(3);
    expect(run("to_integer(a)", { a: 5 })).toBe(5);
    expect(run("to_integer(a)", { a: true })).toBe(1);
    expect(run("to_integer(to_datetime('1970-01-01T00:00:01Z'))")).toBe(1000);
    expect(run("to_integer(a)", {})).toBeNull();
    expect(failure("to_integer(a)", { a: "abc" })).toMatchObject({
      call: 'to_integer("abc")',
      problem: "not an integer",
    });
    expect(failure("to_integer(a)", { a: "3.5" }).problem).toBe("not an integer");
    expect(failure("to_integer(a)", { a: 2.5 }).problem).toBe("not an integer");
    expect(failure("to_integer(a)", { a: "" }).problem).toBe("not an integer");
    expect(failure("to_integer(a)", { a: "0x10" }).problem).toBe("not an integer");
    expect(failure("to_integer(a)", { a: "Infinity" }).problem).toBe("not an integer");
    expect(failure("to_integer(a)", { a: "12345678901234567890" }).problem).toMatch(/out of range/);
    expect(failure("to_integer(a)", { a: { n: 1 } }).problem).toBe("expects an integer, got an object");
  });

  it("to_float converts numeric text and numbers", () => {
    expect(run("to_float(a)", { a: "2.5" })).toBe(2.5);
    expect(run("to_float(a)", { a: "-1e-3" })).toBe(-0.001);
    expect(run("to_float(a)", { a: 7 })).toBe(7);
    expect(run("to_float(a)", { a: false })).toBe(0);
    expect(run("to_float(a)", { a: null })).toBeNull();
    expect(failure("to_float(a)", { a: "1,5" }).problem).toBe("not a number");
    expect(failure("to_float(a)", { a: "NaN" }).problem).toBe("not a number");
    expect(failure("to_float(a)", { a: [1] }).problem).toBe("expects a number, got an array");
  });

  it("to_bool takes booleans, 0/1 and a few words", () => {
    for (const yes of [true, 1, "true", "TRUE", " yes ", "1"])
      expect(run("to_bool(a)", { a: yes }), String(yes)).toBe(true);
    for (const no of [false, 0, "false", "No", "0"]) expect(run("to_bool(a)", { a: no }), String(no)).toBe(false);
    expect(run("to_bool(a)", {})).toBeNull();
    expect(failure("to_bool(a)", { a: "maybe" }).problem).toMatch(/not a boolean/);
    expect(failure("to_bool(a)", { a: 2 }).problem).toMatch(/numbers must be 0 or 1/);
    expect(failure("to_bool(a)", { a: {} }).problem).toBe("expects a boolean, got an object");
  });

  it("to_datetime reads ISO 8601 (offsets honoured, none means UTC) and epoch seconds or milliseconds", () => {
    const iso = (text: string, record: unknown = {}) => (run(text, record) as Date).toISOString();
    expect(iso("to_datetime(a)", { a: "2024-03-01T10:00:00+02:00" })).toBe("2024-03-01T08:00:00.000Z");
    expect(iso("to_datetime(a)", { a: "2024-03-01T10:00:00.123456Z" })).toBe("2024-03-01T10:00:00.123Z");
    expect(iso("to_datetime(a)", { a: "2024-03-01 10:00" })).toBe("2024-03-01T10:00:00.000Z");
    expect(iso("to_datetime(a)", { a: "2024-03-01" })).toBe("2024-03-01T00:00:00.000Z");
    expect(iso("to_datetime(a)", { a: "0050-02-28T00:00:00Z" })).toBe("0050-02-28T00:00:00.000Z");
    expect(iso("to_datetime(a)", { a: "2024-02-29" })).toBe("2024-02-29T00:00:00.000Z");
    expect(failure("to_datetime(a)", { a: "2023-02-29" }).problem).toBe("not a valid calendar date");
    expect(failure("to_datetime(a)", { a: "0000-01-01T00:00:00+01:00" }).problem).toMatch(/out of range/);
    expect(iso("to_datetime(a)", { a: "2024-03-01T10:00:00-0530" })).toBe("2024-03-01T15:30:00.000Z");
    expect(iso("to_datetime(a)", { a: 1_700_000_000 })).toBe("2023-11-14T22:13:20.000Z");
    expect(iso("to_datetime(a)", { a: 1_700_000_000_123 })).toBe("2023-11-14T22:13:20.123Z");
    expect(iso("to_datetime(a)", { a: "1700000000" })).toBe("2023-11-14T22:13:20.000Z");
    expect(iso("to_datetime(a, 'ms')", { a: 1_000 })).toBe("1970-01-01T00:00:01.000Z");
    expect(iso("to_datetime(a, 's')", { a: 1e11 })).toBe("5138-11-16T09:46:40.000Z");
    expect(failure("to_datetime(a, 's')", { a: 1e12 }).problem).toMatch(/out of range/);
    expect(iso("to_datetime(a, u)", { a: 5, u: "milliseconds" })).toBe("1970-01-01T00:00:00.005Z");
    expect(run("to_datetime(a)", {})).toBeNull();
    expect(failure("to_datetime(a)", { a: "March 7, 2024" }).problem).toBe("not an ISO 8601 date-time or epoch time");
    expect(failure("to_datetime(a)", { a: "2024-02-30" }).problem).toBe("not a valid calendar date");
    expect(failure("to_datetime(a)", { a: "2024-13-01" }).problem).toBe("not a valid calendar date");
    expect(failure("to_datetime(a)", { a: "2024-01-01T25:00" }).problem).toBe("not a valid time of day");
    expect(failure("to_datetime(a)", { a: 1e20 }).problem).toBe("epoch time out of range (years 0000 to 9999)");
    expect(failure("to_datetime(a)", { a: true }).problem).toBe("expects a date-time, got a boolean");
    expect(failure("to_datetime(a, u)", { a: 1, u: "h" }).problem).toMatch(/unit must be/);
  });

  it("now answers the injected clock", () => {
    expect(run("now()")).toEqual(now);
    expect(run("to_integer(now())")).toBe(now.getTime());
  });

  it("reports the innermost failing call with the values it got, and clips long values", () => {
    const error = failure("upper(concat('x', to_integer(a)))", { a: "z".repeat(1000) });
    expect(error.call).toBe(`to_integer("${"z".repeat(39)}…)`);
    expect(error.problem).toBe("not an integer");
  });
});
