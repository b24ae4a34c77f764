/**
 * A byte-level check that lets a run whose mapping is the identity write a record's original JSON
 * text to the staging file as it is, skipping JSON.parse, the mapping, Ajv and JSON.stringify. It says
 * true only when that slow path would have produced a row with the record's own values (every
 * converter a no-op) and accepted it; anything it cannot vouch for answers false and the caller
 * takes the slow path, which also gives the failure reason. Conservative on purpose: wherever a
 * number lands in the row, exponents, `-0` and decimals of more than 17 digits are refused (and
 * integers beyond 2^53 where an integer is expected), so that DuckDB reads from the raw text the
 * value JSON.stringify would have written.
 *
 * The schema is compiled once into a tree of nodes; a record is walked once, guided by it. Member
 * names are compared as raw bytes (decoded only when escaped); values under keywords the walk does
 * not re-implement (format, enum, minimum, …, allOf, additionalProperties, …) are decoded on their
 * own and checked by Ajv, compiled for that sub-schema with the dataset validator's options.
 *
 * Measured with the 738-byte benchmark record and its schema (Node 20, a loaded VM of 2 vCPUs):
 * 0.9-1.0 µs a record, also with verify's nullable schema, where the slow path takes 7-8 µs.
 */
import { type DestinationType, destinationType } from "../mapping/destinations.ts";
import type { JsonSchema } from "./dataset-sink.ts";
import { datasetAjv } from "./parquet/schema-validator.ts";

/** True only when the slow path would write this record unchanged (see the contract above). */
export type RawRecordCheck = (json: Buffer) => boolean;

// The kinds of JSON value a node accepts. INTEGER is a plain integer token within ±(2^53-1), NUMBER
// any other plain decimal of at most 17 digits; other number tokens are never accepted.
const NULL = 1;
const BOOLEAN = 2;
const OBJECT = 4;
const ARRAY = 8;
const INTEGER = 16;
const NUMBER = 32;
const STRING = 64;
const ANY = 127;

const typeKinds = new Map([
  ["null", NULL],
  ["boolean", BOOLEAN],
  ["object", OBJECT],
  ["array", ARRAY],
  ["integer", INTEGER],
  ["number", INTEGER | NUMBER],
  ["string", STRING],
]);

/** What a top-level value must already be for its converter (destinations.ts) to leave it as it is. */
function unconvertedKinds(type: DestinationType): number {
  switch (type) {
    case "string":
    case "date-time":
    case "date":
      return STRING;
    case "integer":
      return INTEGER;
    case "number":
      return INTEGER | NUMBER;
    case "boolean":
      return BOOLEAN;
    default:
      return ANY;
  }
}

type Validate = (value: unknown) => boolean;
/** A byte-level test on a string's raw contents [from, to) that, when true, implies the node's `validate`. */
type Quick = (from: number, to: number) => boolean;

/** Member names of one object schema: its properties plus names only `required` mentions. */
class MemberTable {
  /** UTF-8 of each name; undefined for names JSON text always escapes (they are found decoded). */
  readonly names: Array<Uint8Array | undefined> = [];
  readonly nodes: SchemaNode[] = [];
  readonly byHash = new Map<number, number>();
  readonly byName = new Map<string, number>();
  readonly required: number[] = [];
  /** The object visit that last saw each member (duplicates) and, at the top level, saw it not null. */
  readonly seen: number[] = [];
  readonly present: number[] = [];
  /** Records mostly list members in the schema's order: the one after the last found is tried first. */
  guess = 0;

  add(name: string, node: SchemaNode): void {
    const index = this.names.length;
    this.byName.set(name, index);
    // A name with characters JSON text always escapes is never matched on its raw bytes.
    if (JSON.stringify(name) !== `"${name}"`) this.names.push(undefined);
    else {
      const bytes = Buffer.from(name, "utf8");
      const hash = hashOf(bytes);
      this.byHash.set(hash, this.byHash.has(hash) ? collision : index);
      this.names.push(bytes);
    }
    this.nodes.push(node);
    this.seen.push(0);
    this.present.push(0);
  }

  require(name: string): void {
    if (!this.byName.has(name)) this.add(name, anyNode);
    this.required.push(this.byName.get(name) as number);
  }
}

class SchemaNode {
  constructor(
    readonly kinds: number,
    readonly members: MemberTable,
    /** undefined: elements of any kind (no `items`, or tuple `items` left to `validate`). */
    readonly items: SchemaNode | undefined,
    /** Ajv for the whole sub-schema, when it has keywords beyond type/properties/required/items. */
    readonly validate: Validate | undefined,
    readonly quick: Quick | undefined,
  ) {}
}

const collision = -2;
const emptyTable = new MemberTable();
const anyNode = new SchemaNode(ANY, emptyTable, undefined, undefined, undefined);
/** Deep values the walk recurses into; deeper records take the slow path (and never overflow the stack). */
const maxDepth = 100;

function hashOf(bytes: Uint8Array): number {
  let hash = 0;
  for (const byte of bytes) hash = (Math.imul(hash, 31) + byte) | 0;
  return hash;
}

// The walk -----------------------------------------------------------------------------------------
// State of the one walk in progress (checks never nest: nothing they call calls back). Functions
// copy `buf` to a local: reading a module binding on every byte is measurably slower. The input is
// valid JSON by contract; the few bounds and bracket checks below only keep a broken one from
// looping forever or, mostly, from being vouched for.
const emptyBuffer = Buffer.alloc(0);
let buf: Buffer = emptyBuffer;
let visits = 0;
let nameEnd = 0;
let nameEscaped = false;
let numberKind = 0;
let numberValue = 0;

/** The first byte of a member's value, its name's closing quote being at `quote`. */
function valueStart(quote: number): number {
  const b = buf;
  let p = quote + 1;
  while (b[p] !== 0x3a && p < b.length) p++; // only whitespace comes between
  p++;
  while (b[p] <= 0x20) p++;
  return p;
}

function ws(p: number): number {
  const b = buf;
  // Outside strings of valid JSON, only whitespace is at or below 0x20.
  while (b[p] <= 0x20) p++;
  return p;
}

/** The closing quote of the string whose contents start at `i` (or at a backslash within it). */
function stringEnd(i: number): number {
  const b = buf;
  for (;;) {
    const quote = b.indexOf(0x22, i);
    if (quote < 0) return b.length;
    let k = quote - 1;
    while (b[k] === 0x5c) k--;
    if ((quote - k) % 2 === 1) return quote; // an even number of backslashes before it
    i = quote + 1;
  }
}

function decodeName(p: number): string {
  const b = buf;
  return nameEscaped ? (JSON.parse(b.toString("utf8", p, nameEnd + 1)) as string) : b.toString("utf8", p + 1, nameEnd);
}

/**
 * The member index of the name opening at `p`, or -1; sets nameEnd (its closing quote) and
 * nameEscaped. Unescaped, equal UTF-8 bytes are equal names.
 */
function memberAt(table: MemberTable, p: number): number {
  const b = buf;
  const guess = table.guess;
  const expected = table.names[guess];
  if (expected !== undefined && b[p + 1 + expected.length] === 0x22) {
    let i = 0;
    while (i < expected.length && expected[i] === b[p + 1 + i]) i++;
    if (i === expected.length) {
      nameEnd = p + 1 + i;
      nameEscaped = false;
      table.guess = guess + 1 === table.names.length ? 0 : guess + 1;
      return guess;
    }
  }
  let hash = 0;
  let i = p + 1;
  for (; i < b.length; i++) {
    const c = b[i];
    if (c === 0x22) break;
    if (c === 0x5c) {
      nameEnd = stringEnd(i);
      nameEscaped = true;
      return table.byName.get(decodeName(p)) ?? -1;
    }
    hash = (Math.imul(hash, 31) + c) | 0;
  }
  nameEnd = i;
  nameEscaped = false;
  const index = table.byHash.get(hash);
  if (index === undefined) return -1;
  if (index === collision) return table.byName.get(decodeName(p)) ?? -1;
  const name = table.names[index] as Uint8Array;
  if (name.length !== nameEnd - p - 1) return -1;
  for (let k = 0; k < name.length; k++) if (name[k] !== b[p + 1 + k]) return -1;
  table.guess = index + 1 === table.names.length ? 0 : index + 1;
  return index;
}

/** The end of the number token at `p`, or -1 for one refused; sets numberKind and numberValue. */
function numberEnd(p: number): number {
  const b = buf;
  const negative = b[p] === 0x2d;
  let i = negative ? p + 1 : p;
  const first = i;
  let value = 0;
  let c = b[i];
  // Exact while the value stays below 2^53; beyond it, rounding keeps it above MAX_SAFE_INTEGER.
  while (c >= 0x30 && c <= 0x39) {
    value = value * 10 + (c - 0x30);
    c = b[++i];
  }
  let digits = i - first;
  let zero = value === 0;
  let fraction = false;
  if (c === 0x2e) {
    fraction = true;
    const from = ++i;
    c = b[i];
    while (c >= 0x30 && c <= 0x39) {
      if (c !== 0x30) zero = false;
      c = b[++i];
    }
    digits += i - from;
  }
  // Exponents may overflow to Infinity (which JSON.stringify writes as null); JSON.stringify writes -0 as 0.
  if (c === 0x65 || c === 0x45 || (negative && zero)) return -1;
  if (!fraction && value <= Number.MAX_SAFE_INTEGER) {
    numberKind = INTEGER;
    numberValue = negative ? -value : value;
    return i;
  }
  if (digits > 17) return -1;
  numberKind = NUMBER;
  return i;
}

function twoDigits(i: number): number {
  const b = buf;
  const high = b[i] - 0x30;
  const low = b[i + 1] - 0x30;
  return high >= 0 && high <= 9 && low >= 0 && low <= 9 ? high * 10 + low : -1;
}

/** `YYYY-MM-DD` at `i`, month and day checked as ajv-formats' "date" does. */
function dateAt(i: number): boolean {
  const b = buf;
  const century = twoDigits(i);
  const yearOfCentury = twoDigits(i + 2);
  const month = twoDigits(i + 5);
  const day = twoDigits(i + 8);
  if (century < 0 || yearOfCentury < 0 || b[i + 4] !== 0x2d || b[i + 7] !== 0x2d) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const year = century * 100 + yearOfCentury;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

function isDate(from: number, to: number): boolean {
  return to - from === 10 && dateAt(from);
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, uppercase T and Z: part of what the dataset's
 * "date-time" accepts (schema-validator.ts; no leap second, no other spelling of the offset: those
 * are left to Ajv), checked as it checks them.
 */
function isDateTime(from: number, to: number): boolean {
  const b = buf;
  if (to - from < 20 || !dateAt(from) || b[from + 10] !== 0x54) return false;
  const hour = twoDigits(from + 11);
  const minute = twoDigits(from + 14);
  const second = twoDigits(from + 17);
  if (b[from + 13] !== 0x3a || b[from + 16] !== 0x3a || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return false;
  }
  if (second < 0 || second > 59) return false;
  let i = from + 19;
  if (b[i] === 0x2e) {
    const digits = ++i;
    while (i < to && b[i] >= 0x30 && b[i] <= 0x39) i++;
    if (i === digits) return false;
  }
  if (i === to - 1) return b[i] === 0x5a;
  if (i !== to - 6 || (b[i] !== 0x2b && b[i] !== 0x2d) || b[i + 3] !== 0x3a) return false;
  const offsetHours = twoDigits(i + 1);
  const offsetMinutes = twoDigits(i + 4);
  return offsetHours >= 0 && offsetHours <= 23 && offsetMinutes >= 0 && offsetMinutes <= 59;
}

function decode(kind: number, p: number, end: number): unknown {
  const b = buf;
  switch (kind) {
    case STRING: {
      const text = b.toString("utf8", p + 1, end - 1);
      return text.includes("\\") ? JSON.parse(b.toString("utf8", p, end)) : text;
    }
    case INTEGER:
      return numberValue;
    case NUMBER:
      return Number(b.toString("latin1", p, end));
    case BOOLEAN:
      return b[p] === 0x74;
    case NULL:
      return null;
    default:
      return JSON.parse(b.toString("utf8", p, end));
  }
}

function passes(node: SchemaNode, validate: Validate, kind: number, p: number, end: number): boolean {
  if (kind === STRING && node.quick?.(p + 1, end - 1)) return true;
  return validate(decode(kind, p, end));
}

/** The end of the value at `p` if `node` accepts it as it is, else -1. */
function valueEnd(node: SchemaNode, p: number, depth: number): number {
  const b = buf;
  const c = b[p];
  let kind: number;
  let end: number;
  if (c === 0x22) {
    kind = STRING;
    if ((node.kinds & kind) === 0) return -1;
    end = stringEnd(p + 1) + 1;
  } else if (c === 0x7b) {
    kind = OBJECT;
    if ((node.kinds & kind) === 0 || depth > maxDepth) return -1;
    end = objectEnd(node.members, p, depth + 1);
  } else if (c === 0x5b) {
    kind = ARRAY;
    if ((node.kinds & kind) === 0 || depth > maxDepth) return -1;
    end = arrayEnd(node.items ?? anyNode, p, depth + 1);
  } else if (c === 0x74 || c === 0x66) {
    kind = BOOLEAN;
    end = c === 0x74 ? p + 4 : p + 5;
  } else if (c === 0x6e) {
    kind = NULL;
    end = p + 4;
  } else {
    end = numberEnd(p);
    kind = numberKind;
  }
  if (end < 0 || (node.kinds & kind) === 0) return -1;
  if (node.validate !== undefined && !passes(node, node.validate, kind, p, end)) return -1;
  return end;
}

/** A nested object: copied whole into the row, so every member counts, schema's or not. */
function objectEnd(table: MemberTable, p: number, depth: number): number {
  const b = buf;
  const stamp = ++visits;
  let others: Set<string> | undefined;
  p = ws(p + 1);
  if (b[p] !== 0x7d) {
    for (;;) {
      const index = memberAt(table, p);
      let node = anyNode;
      if (index >= 0) {
        if (table.seen[index] === stamp) return -1;
        table.seen[index] = stamp;
        node = table.nodes[index] as SchemaNode;
      } else {
        const name = decodeName(p);
        others ??= new Set();
        if (others.has(name)) return -1;
        others.add(name);
      }
      p = valueEnd(node, valueStart(nameEnd), depth);
      if (p < 0) return -1;
      p = ws(p);
      if (b[p] !== 0x2c) break;
      p = ws(p + 1);
    }
  }
  if (b[p] !== 0x7d) return -1;
  // Ajv's `required` counts a null member as present.
  for (const index of table.required) if (table.seen[index] !== stamp) return -1;
  return p + 1;
}

function arrayEnd(items: SchemaNode, p: number, depth: number): number {
  const b = buf;
  p = ws(p + 1);
  if (b[p] === 0x5d) return p + 1;
  for (;;) {
    p = valueEnd(items, p, depth);
    if (p < 0) return -1;
    p = ws(p);
    if (b[p] !== 0x2c) return b[p] === 0x5d ? p + 1 : -1;
    p = ws(p + 1);
  }
}

/** The end of a value nobody reads (a top-level member the schema lacks). */
function skipEnd(p: number): number {
  const b = buf;
  const c = b[p];
  if (c === 0x22) return stringEnd(p + 1) + 1;
  if (c !== 0x7b && c !== 0x5b) {
    let d = c;
    while (d > 0x20 && d !== 0x2c && d !== 0x7d && d !== 0x5d) d = b[++p];
    return p;
  }
  for (let depth = 0; p < b.length; p++) {
    const d = b[p];
    if (d === 0x22) p = stringEnd(p + 1);
    else if (d === 0x7b || d === 0x5b) depth++;
    else if ((d === 0x7d || d === 0x5d) && --depth === 0) return p + 1;
  }
  return p;
}

/**
 * The record: the mapping copies only the schema's members, a null one is left out of the row
 * (so `required` misses it), and DuckDB reads neither the others nor nulls; so the others are
 * only skipped (duplicates among them, or inside them, change nothing).
 */
function topLevelAccepts(table: MemberTable, p: number): boolean {
  const b = buf;
  const stamp = ++visits;
  p = ws(p + 1);
  if (b[p] !== 0x7d) {
    for (;;) {
      const index = memberAt(table, p);
      p = valueStart(nameEnd);
      if (index < 0) p = skipEnd(p);
      else {
        if (table.seen[index] === stamp) return false;
        table.seen[index] = stamp;
        if (b[p] === 0x6e) p += 4;
        else {
          p = valueEnd(table.nodes[index] as SchemaNode, p, 1);
          if (p < 0) return false;
          table.present[index] = stamp;
        }
      }
      p = ws(p);
      if (b[p] !== 0x2c) break;
      p = ws(p + 1);
    }
  }
  if (b[p] !== 0x7d) return false;
  for (const index of table.required) if (table.present[index] !== stamp) return false;
  return true;
}

// Compiling ----------------------------------------------------------------------------------------

class Unsupported extends Error {}

const quickFormats = new Map<unknown, Quick>([
  ["date-time", isDateTime],
  ["date", isDate],
]);

const walked = new Set(["type", "properties", "required", "items"]);
/** Sub-schemas using these cannot be validated in isolation (`$async` would make Ajv answer a Promise). */
const forbidden = new Set(["$ref", "$async", "definitions", "$defs"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function mentionsForbidden(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(mentionsForbidden);
  if (!isRecord(value)) return false;
  return Object.entries(value).some(([key, child]) => forbidden.has(key) || mentionsForbidden(child));
}

/**
 * A name Object.prototype has: Ajv (without ownProperties) sees the inherited value of an absent
 * member, e.g. `required: ["toString"]` holds for every object.
 */
function inherited(name: string): boolean {
  return name in Object.prototype;
}

class Compiler {
  // As schema-validator.ts; addUsedSchema off so two sub-schemas with the same `$id` compile side by
  // side (without `$ref` an `$id` changes nothing), logger off as the full validator already warns.
  private readonly ajv = datasetAjv({ addUsedSchema: false, logger: false });
  private readonly validators = new Map<string, Validate>();

  /** Keywords Ajv ignores, and `$comment`, which it does nothing with. */
  isAnnotation(key: string): boolean {
    return !forbidden.has(key) && (key === "$comment" || this.ajv.getKeyword(key) === false);
  }

  kindsOf(type: unknown): number {
    const types = Array.isArray(type) ? type : [type];
    let kinds = 0;
    for (const name of types) {
      const kind = typeof name === "string" ? typeKinds.get(name) : undefined;
      if (kind === undefined) throw new Unsupported();
      kinds |= kind;
    }
    return kinds;
  }

  validator(schema: Record<string, unknown>): Validate {
    if (mentionsForbidden(schema)) throw new Unsupported();
    const key = JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (validate === undefined) {
      try {
        validate = this.ajv.compile(schema);
      } catch {
        throw new Unsupported();
      }
      this.validators.set(key, validate);
    }
    return validate;
  }

  node(schema: unknown, kinds: number): SchemaNode {
    if (schema === true)
      return kinds === ANY ? anyNode : new SchemaNode(kinds, emptyTable, undefined, undefined, undefined);
    if (schema === false) return new SchemaNode(0, emptyTable, undefined, undefined, undefined);
    if (!isRecord(schema)) throw new Unsupported();
    const unwalked = Object.keys(schema).filter((key) => !walked.has(key) && !this.isAnnotation(key));
    if (unwalked.some((key) => forbidden.has(key))) throw new Unsupported();
    // Keywords the walk does not check, tuple `items` and inherited member names leave the value to Ajv.
    let whole = unwalked.length > 0;
    if (schema.type !== undefined) kinds &= this.kindsOf(schema.type);
    let items: SchemaNode | undefined;
    if (Array.isArray(schema.items)) whole = true;
    else if (schema.items !== undefined) items = this.node(schema.items, ANY);
    let members = emptyTable;
    if (schema.properties !== undefined || schema.required !== undefined) {
      members = new MemberTable();
      for (const [name, child] of Object.entries(this.properties(schema.properties ?? {}))) {
        if (inherited(name)) whole = true;
        members.add(name, this.node(child, ANY));
      }
      for (const name of this.required(schema.required ?? [])) {
        if (inherited(name)) whole = true;
        else members.require(name);
      }
    }
    if (!whole) return new SchemaNode(kinds, members, items, undefined, undefined);
    // For a string only type and format apply, and the walk checks the type.
    const quick = unwalked.length === 1 && unwalked[0] === "format" ? quickFormats.get(schema.format) : undefined;
    return new SchemaNode(kinds, members, items, this.validator(schema), quick);
  }

  properties(value: unknown): Record<string, unknown> {
    if (!isRecord(value) || Object.hasOwn(value, "__proto__")) throw new Unsupported();
    return value;
  }

  required(value: unknown): string[] {
    if (!Array.isArray(value) || !value.every((name): name is string => typeof name === "string"))
      throw new Unsupported();
    return value;
  }

  /** The row: an object of the schema's own properties, nothing else for the walk to vouch for. */
  topLevel(schema: unknown): MemberTable {
    if (!isRecord(schema)) throw new Unsupported();
    for (const key of Object.keys(schema)) {
      if (key !== "type" && key !== "properties" && key !== "required" && !this.isAnnotation(key)) {
        throw new Unsupported();
      }
    }
    if (schema.type !== undefined && (this.kindsOf(schema.type) & OBJECT) === 0) throw new Unsupported();
    const properties = this.properties(schema.properties);
    if (Object.keys(properties).length === 0) throw new Unsupported();
    const table = new MemberTable();
    for (const [name, child] of Object.entries(properties)) {
      if (inherited(name)) throw new Unsupported();
      table.add(name, this.node(child, unconvertedKinds(destinationType(child))));
    }
    // A required name the schema has no property for is never in the row: every record fails.
    for (const name of this.required(schema.required ?? [])) {
      if (!table.byName.has(name)) throw new Unsupported();
      table.require(name);
    }
    return table;
  }
}

/** undefined when the schema uses something the byte-level check does not handle: then always take the slow path. */
export function compileRawRecordCheck(schema: JsonSchema): RawRecordCheck | undefined {
  let table: MemberTable;
  try {
    table = new Compiler().topLevel(schema);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  return (json) => {
    buf = json;
    const p = ws(0);
    const accepted = buf[p] === 0x7b && topLevelAccepts(table, p);
    buf = emptyBuffer; // not to keep a page's buffer alive
    return accepted;
  };
}
