/**
 * Field paths of mapping sources and destinations: dot-separated names, each optionally followed
 * by `[n]` array indexes (`member.email`, `results[0].id`, `a.b[2][0].c`). A name is any run of
 * characters other than whitespace, `.`, `[`, `]`, `(`, `)`, `,` and quotes, so `_tenant`, `@id`,
 * `xdm:foo`, `2fa` and `first-name` are names. Anything else (`a..b`, `.a`, `a[x]`, `a b`) is not a
 * path. Reading never leaves a value's own properties: `constructor` or `__proto__` find a field
 * of that name if the record has one, never a prototype.
 */

export type PathSegment = { readonly key: string } | { readonly index: number };
export type FieldPath = readonly PathSegment[];

export const maxPathLength = 1024;
export const maxIndex = 1_000_000;

const namePattern = /^[^\s.[\]()",']+/u;
const indexPattern = /^\[(0|[1-9][0-9]{0,6})\]/;

/** Parses a whole string as a path, or answers undefined when it is not one. */
export function parsePath(text: string): FieldPath | undefined {
  if (typeof text !== "string" || text.length === 0 || text.length > maxPathLength) return undefined;
  const segments: PathSegment[] = [];
  let rest = text;
  let expectName = true;
  while (rest.length > 0) {
    if (expectName) {
      const name = namePattern.exec(rest);
      if (!name) return undefined;
      segments.push({ key: name[0] });
      rest = rest.slice(name[0].length);
      expectName = false;
      continue;
    }
    const index = indexPattern.exec(rest);
    if (index) {
      const value = Number(index[1]);
      if (value > maxIndex) return undefined;
      segments.push({ index: value });
      rest = rest.slice(index[0].length);
      continue;
    }
    if (rest[0] !== ".") return undefined;
    rest = rest.slice(1);
    expectName = true;
  }
  return expectName ? undefined : segments;
}

export function formatPath(path: FieldPath): string {
  let text = "";
  for (const segment of path) {
    if ("index" in segment) text += `[${segment.index}]`;
    else text += text === "" ? segment.key : `.${segment.key}`;
  }
  return text;
}

/** True when every segment is a name (destinations have no indexes). */
export function isNamePath(path: FieldPath): path is readonly { readonly key: string }[] {
  return path.every((segment) => "key" in segment);
}

export type Getter = (record: unknown) => unknown;

function ownKey(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function atIndex(value: unknown, index: number): unknown {
  return Array.isArray(value) && index < value.length ? value[index] : undefined;
}

function step(segment: PathSegment): Getter {
  if ("key" in segment) {
    const key = segment.key;
    return (value) => ownKey(value, key);
  }
  const index = segment.index;
  return (value) => atIndex(value, index);
}

/**
 * A reader for a path, specialised for the short name-only paths that dominate real mappings,
 * since it runs once per record and destination.
 */
export function compileGetter(path: FieldPath): Getter {
  if (isNamePath(path)) {
    const keys = path.map((segment) => segment.key);
    if (keys.length === 1) {
      const [a] = keys as [string];
      return (record) => ownKey(record, a);
    }
    if (keys.length === 2) {
      const [a, b] = keys as [string, string];
      return (record) => ownKey(ownKey(record, a), b);
    }
    if (keys.length === 3) {
      const [a, b, c] = keys as [string, string, string];
      return (record) => ownKey(ownKey(ownKey(record, a), b), c);
    }
    return (record) => {
      let value: unknown = record;
      for (const key of keys) {
        value = ownKey(value, key);
        if (value === undefined) return undefined;
      }
      return value;
    };
  }
  const steps = path.map(step);
  return (record) => {
    let value: unknown = record;
    for (const next of steps) {
      value = next(value);
      if (value === undefined) return undefined;
    }
    return value;
  };
}
