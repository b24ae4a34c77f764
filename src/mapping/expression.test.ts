import { describe, expect, it } from "vitest";
import { compileExpression } from "./evaluate.ts";
import { ExpressionSyntaxError, expressionLimits, parseExpression } from "./expression.ts";

const context = { now: () => new Date("2024-05-06T07:08:09.010Z") };
const evaluate = (text: string, record: unknown = {}) => compileExpression(text, context)(record);

function syntaxError(text: string): ExpressionSyntaxError {
  try {
    compileExpression(text, context);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe("expression parser", () => {
  it("builds an AST of calls, paths and literals", () => {
    expect(parseExpression('concat(member.first_name, " ", member.last_name)')).toEqual({
      kind: "call",
      name: "concat",
      position: 0,
      args: [
        { kind: "path", path: [{ key: "member" }, { key: "first_name" }], text: "member.first_name", position: 7 },
        { kind: "literal", value: " ", position: 26 },
        { kind: "path", path: [{ key: "member" }, { key: "last_name" }], text: "member.last_name", position: 31 },
      ],
    });
  });

  it("reads literals: both quotes, escapes, numbers, booleans, null", () => {
    expect(evaluate(`'it''s'`.replace("''", "\\'"))).toBe("it's");
    expect(evaluate('"say \\"hi\\"\\n\\t\\\\ \\u00e9"')).toBe('say "hi"\n\t\\ é');
    expect(evaluate("-1.5e3")).toBe(-1500);
    expect(evaluate("+42")).toBe(42);
    expect(evaluate("0.25")).toBe(0.25);
    expect(evaluate("true")).toBe(true);
    expect(evaluate("false")).toBe(false);
    expect(evaluate("null")).toBeNull();
    expect(evaluate("  lower( 'A' )  ")).toBe("a");
    expect(evaluate("concat()".replace("()", "('a','b')"))).toBe("ab");
  });

  it("reads a bare path as the field", () => {
    expect(evaluate("a.b[1]", { a: { b: [1, 2] } })).toBe(2);
    expect(evaluate("lower", { lower: "field, not function" })).toBe("field, not function");
  });

  it("refuses malformed input with the position of the problem", () => {
    const cases: Array<[string, RegExp, number]> = [
      ["", /empty/, 0],
      ["lower(a", /expected "," or "\)"/, 7],
      ["lower(a))", /unexpected "\)" after a complete expression/, 8],
      ["lower(,a)", /expected a value, found ","/, 6],
      ["concat(a b)", /expected "," or "\)"/, 9],
      ['"abc', /unterminated string/, 0],
      ['"a\\q"', /unknown escape/, 2],
      ['"\\u12"', /four hex digits/, 1],
      ["a..b", /not a field path/, 0],
      ["a.b(c)", /not a function name/, 0],
      ["1e999", /out of range/, 0],
      ["a b", /unexpected "b"/, 2],
    ];
    for (const [text, message, position] of cases) {
      const error = syntaxError(text);
      expect(error.message, text).toMatch(message);
      expect(error.position, text).toBe(position);
    }
  });

  it("refuses unknown functions and wrong arities before any record is read", () => {
    expect(syntaxError("eval('1')").message).toMatch(/unknown function eval; known: lower, upper/);
    expect(syntaxError("LOWER(a)").message).toMatch(/unknown function LOWER/);
    expect(syntaxError("lower()").message).toMatch(/lower takes 1 argument, got 0/);
    expect(syntaxError("lower(a, b)").message).toMatch(/lower takes 1 argument, got 2/);
    expect(syntaxError("now(1)").message).toMatch(/now takes 0 arguments, got 1/);
    expect(syntaxError("concat()").message).toMatch(/at least 1 argument/);
    expect(syntaxError("to_datetime(a, 'b', 'c')").message).toMatch(/1 to 2 arguments/);
    expect(syntaxError("to_datetime(a, 'hours')").message).toMatch(/unit must be "s" or "ms"/);
    expect(syntaxError("upper(lower(trim(nope(x))))").position).toBe(17);
  });

  describe("hostile input", () => {
    it("bounds nesting depth instead of overflowing the stack", () => {
      const ok = `${"lower(".repeat(expressionLimits.depth - 1)}a${")".repeat(expressionLimits.depth - 1)}`;
      expect(evaluate(ok, { a: "X" })).toBe("x");
      const deep = `${"lower(".repeat(100_000)}a${")".repeat(100_000)}`;
      expect(syntaxError(deep.slice(0, expressionLimits.length)).message).toMatch(/nested more than 64 deep/);
      const tooDeep = `${"lower(".repeat(expressionLimits.depth + 1)}a${")".repeat(expressionLimits.depth + 1)}`;
      expect(syntaxError(tooDeep).message).toMatch(/nested more than/);
    });

    it("bounds length and argument count", () => {
      expect(syntaxError(`"${"x".repeat(expressionLimits.length)}"`).message).toMatch(/longer than/);
      const args = Array.from({ length: expressionLimits.arguments + 1 }, () => "'a'").join(",");
      expect(syntaxError(`concat(${args})`).message).toMatch(/more than 256 arguments/);
      const big = "y".repeat(60_000);
      expect(evaluate(`upper("${big}")`)).toBe(big.toUpperCase());
    });

    it("keeps JavaScript-looking text as data: strings stay strings, code is not a path", () => {
      const payloads = [
        "process.exit(1)",
        "require('fs').readFileSync('/etc/passwd')",
        "constructor.constructor('return process')()",
        "(() => 1)()",
        "a; b",
        "a + b",
      ];
      for (const payload of payloads) {
        expect(evaluate(`concat(${JSON.stringify(payload)})`), payload).toBe(payload);
        expect(evaluate(`'${payload.replaceAll("'", "\\'")}'`), payload).toBe(payload);
        expect(() => compileExpression(payload, context), payload).toThrow(ExpressionSyntaxError);
      }
      // Text that happens to be a path only ever names a field of the record.
      const templateLike = ["$", "{process.env}"].join("");
      expect(evaluate(templateLike, { [templateLike.split(".")[0] as string]: { "env}": "data" } })).toBe("data");
      expect(evaluate("this.x", {})).toBeUndefined();
      expect(evaluate("`whoami`", {})).toBeUndefined();
      expect(evaluate("globalThis", {})).toBeUndefined();
      // A path named like a prototype member reads only the record's own data.
      expect(evaluate("constructor", {})).toBeUndefined();
      expect(evaluate("concat(constructor.name, __proto__)", {})).toBeNull();
      expect(evaluate("coalesce(toString, valueOf, 'none')", {})).toBe("none");
    });
  });
});
