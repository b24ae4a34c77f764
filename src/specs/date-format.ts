/**
 * Schedule formats are .NET custom date-format strings (spec §4.7), rendered by the engine's
 * `formatDotNet`. The engine exports no tokenizer, so this one follows the same rules: '…' and "…"
 * are literals, `\x` escapes x, runs of y M d H h m s f F t z are fields, K is the offset, any other
 * character is literal. "Parseable" means it tokenises and contains at least one date/time field.
 */
import { formatDotNet } from "../engine/time/dotnet-format.ts";

const fieldLetters = new Set(["y", "M", "d", "H", "h", "m", "s", "f", "F"]);
const tokenLetters = new Set([...fieldLetters, "t", "z"]);

export interface DateFormatCheck {
  /** Why the format cannot be used; undefined when it can. */
  readonly error?: string;
  /** Likely mistakes in a usable format. */
  readonly warnings: readonly string[];
}

interface Token {
  readonly letter: string;
  readonly count: number;
}

function tokenise(pattern: string): { tokens: Token[]; literals: string } | string {
  const tokens: Token[] = [];
  let literals = "";
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern.charAt(i);
    if (ch === "'" || ch === '"') {
      const close = pattern.indexOf(ch, i + 1);
      if (close < 0) return `has a quoted literal opened at position ${i} and never closed: add the closing ${ch}.`;
      i = close + 1;
    } else if (ch === "\\") {
      if (i + 1 >= pattern.length) return "ends with a backslash, which escapes nothing: remove it.";
      i += 2;
    } else if (ch === "K") {
      tokens.push({ letter: "K", count: 1 });
      i += 1;
    } else if (tokenLetters.has(ch)) {
      let count = 1;
      while (pattern.charAt(i + count) === ch) count += 1;
      if ((ch === "f" || ch === "F") && count > 7)
        return `has ${count} "${ch}" in a row; .NET allows at most 7 (fffffff).`;
      tokens.push({ letter: ch, count });
      i += count;
    } else {
      literals += ch;
      i += 1;
    }
  }
  return { tokens, literals };
}

export function checkDateFormat(pattern: string): DateFormatCheck {
  if (pattern.length > 200) return { error: "is longer than 200 characters; a date format is short.", warnings: [] };
  const result = tokenise(pattern);
  if (typeof result === "string") return { error: result, warnings: [] };
  const { tokens, literals } = result;
  if (!tokens.some((t) => fieldLetters.has(t.letter))) {
    return {
      error:
        'contains no date or time field (yyyy, MM, dd, HH, mm, ss, fffffff); write a .NET format such as "yyyy-MM-ddTHH:mm:ssK".',
      warnings: [],
    };
  }
  try {
    formatDotNet(new Date(0), pattern);
  } catch (error) {
    return { error: `cannot be rendered: ${(error as Error).message}.`, warnings: [] };
  }
  const warnings: string[] = [];
  const has = (letter: string) => tokens.some((t) => t.letter === letter);
  if (/[YD]/.test(literals)) {
    warnings.push(
      'contains "Y" or "D", which .NET prints as literal letters; years are yyyy and days dd (lower case).',
    );
  }
  if (has("m") && !has("M") && !has("H") && !has("h")) {
    warnings.push('uses "mm" (minutes) but no month or hour; months are "MM".');
  }
  if (has("h") && !has("t")) {
    warnings.push('uses "hh", the 12-hour clock, without "tt"; use "HH" for the 24-hour clock.');
  }
  return { warnings };
}
