// biome-ignore-all lint/suspicious/noTemplateCurlyInString: messages show literal ${name} placeholders
/**
 * Semantic checks of `sourceSpec` (spec §4): both layouts of §4.1, request settings, placeholders
 * (§4.4), record paths (§4.5), pagination per type (§4.6), schedule windows (§4.7) and categories.
 * The structural pass has already reported wrong types and missing required fields; the checks
 * here skip values of the wrong type so that each mistake is reported once.
 */
import { compilePath } from "../engine/json-path.ts";
import { parseParamMap, placeholdersIn } from "../engine/template.ts";
import { canonicalCategory, unknownCategoryMessage } from "./categories.ts";
import { checkDateFormat } from "./date-format.ts";
import { jsonPathProblem } from "./json-paths.ts";
import {
  declaredProperties,
  depthExceeds,
  didYouMean,
  isObject,
  type Json,
  own,
  ownObject,
  type Path,
  type ProblemList,
  quote,
  warnUnknownFields,
} from "./problems.ts";
import { checkEmbeddedSchema } from "./schema-check.ts";

/** One authSpec entry as far as placeholders care: its name and declared properties. */
export interface AuthEntry {
  readonly name: string;
  readonly properties: ReadonlySet<string>;
}

export interface SourceSpecContext {
  readonly problems: ProblemList;
  readonly auth: readonly AuthEntry[];
  /** "rest" sources must say how to make a request; streaming specs need not. */
  readonly kind: "rest" | "streaming";
}

/** Settings the generic template (spec §4.1) may leave to each source connection. */
export const requestSettings = [
  "urlParams",
  "headerParams",
  "bodyParams",
  "contentPath",
  "explodeEntityPath",
  "paginationParams",
  "scheduleParams",
] as const;

const knownAttributes = [...requestSettings, "uiAttributes", "schema", "spec", "authRequired"];
const knownUiAttributes = [
  "isSource",
  "isPreview",
  "isBeta",
  "category",
  "icon",
  "description",
  "label",
  "documentationLink",
  "monitoringSupported",
  "apiFeatures",
  "frequency",
];
const knownUrlParams = ["host", "path", "method", "queryParams"];
const knownPathSetting = ["path", "skipAttributes", "keepAttributes", "overrideWrapperAttribute"];

export const paginationTypes = ["OFFSET", "POINTER", "CONTINUATION_TOKEN", "PAGE", "NONE"] as const;
type PaginationType = (typeof paginationTypes)[number];
const paginationFields: Readonly<Record<PaginationType, readonly string[]>> = {
  OFFSET: ["limitName", "limitValue", "offSetName", "offsetName", "endConditionName", "endConditionValue"],
  POINTER: ["limitName", "limitValue", "pointerPath", "pointer"],
  CONTINUATION_TOKEN: ["continuationTokenPath", "parameterType", "parameterName", "limitName", "limitValue"],
  PAGE: ["limitName", "limitValue", "pageParamName", "initialPageIndex", "endPageIndex"],
  NONE: [],
};
const anyPaginationField = ["type", "delayRequestMillis", "maximumRequest"];
const allPaginationFields = [...new Set([...anyPaginationField, ...Object.values(paginationFields).flat()])];

const standardScheduleFields = [
  "scheduleStartParamName",
  "scheduleEndParamName",
  "scheduleStartParamFormat",
  "scheduleEndParamFormat",
];
const advanceScheduleFields = ["paramFormat", "incremental", "backfill"];

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const maxBodyDepth = 32;

type ScheduleForm = "none" | "standard" | "advance" | "input" | "unknown";

interface State extends SourceSpecContext {
  readonly inputs: ReadonlySet<string>;
  schedule: ScheduleForm;
  scheduleNames: Set<string>;
  scheduleQueryUsed: boolean;
}

export function checkSourceSpec(sourceSpec: unknown, context: SourceSpecContext): void {
  const { problems } = context;
  const base: Path = ["sourceSpec"];
  if (sourceSpec === undefined) {
    if (context.kind === "rest") {
      problems.error(
        base,
        "is missing: add a sourceSpec with attributes (urlParams, contentPath, paginationParams, scheduleParams, uiAttributes) and spec (a JSON Schema of the source connection's params).",
      );
    }
    return;
  }
  if (!isObject(sourceSpec)) return;
  warnUnknownFields(problems, sourceSpec, base, ["attributes", "spec"], "sourceSpec");
  const attributesPath: Path = [...base, "attributes"];
  const attributes = ownObject(sourceSpec, "attributes");
  // A missing `attributes` is reported through the settings it should hold (urlParams, contentPath).
  const attrs: Json = attributes ?? {};

  // Spec §4.1: `spec` beside `attributes` (canonical) or nested inside it (older docs).
  const top = own(sourceSpec, "spec");
  const nested = own(attrs, "spec");
  if (top !== undefined && nested !== undefined) {
    problems.warning(
      [...attributesPath, "spec"],
      "sourceSpec.spec is also present; Inlet keeps sourceSpec.spec and drops this nested copy: remove one of them.",
    );
  }
  const inputSchema = top ?? nested;
  const inputPath: Path = top !== undefined ? [...base, "spec"] : [...attributesPath, "spec"];
  if (inputSchema === undefined) {
    if (context.kind === "rest") {
      problems.warning(
        [...base, "spec"],
        'is missing: add a JSON Schema of the source connection\'s params ({"type": "object", "properties": {}} when there are none).',
      );
    }
  } else {
    checkEmbeddedSchema(inputSchema, inputPath, problems, { describesObject: true });
  }
  const inputs = declaredProperties(inputSchema);
  const state: State = { ...context, inputs, schedule: "none", scheduleNames: new Set(), scheduleQueryUsed: false };

  if (attributes) {
    warnUnknownFields(problems, attributes, attributesPath, knownAttributes, "sourceSpec.attributes");
    checkUiAttributes(own(attributes, "uiAttributes"), [...attributesPath, "uiAttributes"], problems);
    checkEmbeddedSchema(own(attributes, "schema"), [...attributesPath, "schema"], problems);
  }

  // A setting is either fixed in attributes or, in the generic template, a user input.
  const fixed = (name: string) => own(attrs, name) !== undefined;
  const isInput = (name: string) => !fixed(name) && inputs.has(name);
  const at = (name: string): Path => [...attributesPath, name];

  if (fixed("scheduleParams")) checkSchedule(own(attrs, "scheduleParams"), at("scheduleParams"), state);
  else if (isInput("scheduleParams")) state.schedule = "input";
  else if (context.kind === "rest") {
    problems.warning(
      at("scheduleParams"),
      "is missing, so every run reads everything: add scheduleParams (scheduleStartParamName/scheduleEndParamName, or the ADVANCE form) for incremental runs.",
    );
  }

  if (fixed("urlParams")) checkUrlParams(own(attrs, "urlParams"), at("urlParams"), state);
  else if (!isInput("urlParams") && context.kind === "rest") {
    problems.error(
      at("urlParams"),
      'is missing: add urlParams {"path": "/…", "method": "GET"} here, or declare urlParams in sourceSpec.spec.properties so each source connection supplies it.',
    );
  }
  if (fixed("headerParams")) checkParamMap(own(attrs, "headerParams"), at("headerParams"), state, true);
  if (fixed("bodyParams")) checkBody(own(attrs, "bodyParams"), at("bodyParams"), state);

  if (fixed("contentPath")) checkPathSetting(own(attrs, "contentPath"), at("contentPath"), problems, false);
  else if (!isInput("contentPath") && context.kind === "rest") {
    problems.error(
      at("contentPath"),
      'is missing: add contentPath {"path": "$.items"} (the JSONPath of the array of records), or declare it in sourceSpec.spec.properties.',
    );
  }
  if (fixed("explodeEntityPath"))
    checkPathSetting(own(attrs, "explodeEntityPath"), at("explodeEntityPath"), problems, true);

  if (fixed("paginationParams")) checkPagination(own(attrs, "paginationParams"), at("paginationParams"), problems);
  else if (!isInput("paginationParams") && context.kind === "rest") {
    problems.warning(
      at("paginationParams"),
      'is missing, so Inlet makes a single request (type NONE): add paginationParams if the API returns pages, or write {"type": "NONE"} to say so.',
    );
  }

  if (state.schedule === "advance" && !state.scheduleQueryUsed) {
    problems.warning(
      at("scheduleParams"),
      "the ADVANCE form renders {SCHEDULE_QUERY}, but no urlParams, queryParams, headerParams or bodyParams use it: put {SCHEDULE_QUERY} where the API expects the query, e.g. queryParams.query.",
    );
  }
}

function checkUiAttributes(value: unknown, path: Path, problems: ProblemList): void {
  if (!isObject(value)) return;
  warnUnknownFields(problems, value, path, knownUiAttributes, "uiAttributes");
  checkCategory(own(value, "category"), [...path, "category"], problems);
}

/** `category` as `{key}`, `{text}` (while testing, spec §4.2) or a plain string (`attributes.category`). */
export function checkCategory(value: unknown, path: Path, problems: ProblemList): void {
  if (typeof value === "string") {
    if (canonicalCategory(value) === undefined) problems.error(path, unknownCategoryMessage(value));
    return;
  }
  if (!isObject(value)) return;
  const key = own(value, "key");
  const text = own(value, "text");
  if (typeof key === "string" && canonicalCategory(key) === undefined) {
    problems.error([...path, "key"], unknownCategoryMessage(key));
  }
  if (key === undefined && typeof text === "string" && canonicalCategory(text) === undefined) {
    problems.warning([...path, "text"], unknownCategoryMessage(text));
  }
  if (key === undefined && text === undefined) {
    problems.error(path, 'has neither key nor text: write {"key": "marketingAutomation"} (or another category key).');
  }
}

// ---------------------------------------------------------------- placeholders

/** Longer request settings are refused unread: no real URL, header or body template is this long. */
const maxTemplateLength = 65_536;

function checkTemplate(text: string, path: Path, state: State): void {
  const { problems } = state;
  if (text.length > maxTemplateLength) {
    problems.error(
      path,
      `is ${text.length} characters long; keep request settings under ${maxTemplateLength} characters.`,
    );
    return;
  }
  if (text.includes("@{")) {
    problems.error(
      path,
      "uses an Azure Data Factory expression @{…}, which Inlet does not evaluate: write placeholders such as ${name} instead, and use the ADVANCE form of scheduleParams with {SCHEDULE_QUERY} for backfill/incremental differences.",
    );
    return;
  }
  if (/\{\{\s*[A-Za-z_][\w.-]*\s*\}\}/.test(text)) {
    problems.warning(path, "uses {{name}}, which is not a placeholder syntax of the docs: write ${name}.");
  }
  for (const match of text.matchAll(/\$\{([^{}]*)\}/g)) {
    const inner = match[1] ?? "";
    if (!/^[A-Za-z_][\w.-]*$/.test(inner)) {
      problems.warning(
        path,
        `${quote(match[0], 40)} is not a placeholder Inlet fills and is sent as typed: a name starts with a letter or "_" and holds letters, digits, "_", "." or "-".`,
      );
    }
  }
  for (const name of new Set(placeholdersIn(text))) resolvePlaceholder(name, text.includes(`\${${name}}`), path, state);
}

function resolvePlaceholder(name: string, dollar: boolean, path: Path, state: State): void {
  const { problems } = state;
  const shown = dollar ? `\${${name}}` : `{${name}}`;
  const scheduleKnown = state.schedule === "input" || state.schedule === "unknown";
  if (name === "SCHEDULE_QUERY") {
    state.scheduleQueryUsed = true;
    if (state.schedule !== "advance" && !scheduleKnown) {
      problems.error(
        path,
        `placeholder ${shown} is only set by the ADVANCE form of scheduleParams: add scheduleParams {"type": "ADVANCE", "paramFormat", "incremental", "backfill"}, or remove the placeholder.`,
      );
    }
    return;
  }
  if (name === "START_TIME" || name === "END_TIME") {
    if (state.schedule === "none") {
      problems.error(
        path,
        `placeholder ${shown} is only set when sourceSpec.attributes.scheduleParams is present: add scheduleParams, or remove the placeholder.`,
      );
    }
    return;
  }
  if (name === "host" || state.scheduleNames.has(name) || state.inputs.has(name)) return;
  const declaring = state.auth.filter((entry) => entry.properties.has(name));
  if (declaring.length > 0) {
    if (declaring.length < state.auth.length) {
      const missing = state.auth.filter((entry) => !entry.properties.has(name)).map((entry) => quote(entry.name, 40));
      problems.warning(
        path,
        `placeholder ${shown} is declared by some authSpec entries but not by ${missing.join(", ")}: a base connection using those cannot fill it; declare "${name}" there too, or in sourceSpec.spec.properties.`,
      );
    }
    return;
  }
  const known = [...state.inputs, ...state.auth.flatMap((entry) => [...entry.properties])];
  problems.error(
    path,
    `placeholder ${shown} is not declared: add "${name}" to sourceSpec.spec.properties or to an authSpec's properties${didYouMean(name, known)}.`,
  );
}

function checkUrlParams(value: unknown, path: Path, state: State): void {
  if (!isObject(value)) return;
  const { problems } = state;
  warnUnknownFields(problems, value, path, knownUrlParams, "urlParams");
  const host = own(value, "host");
  if (typeof host === "string") {
    checkTemplate(host, [...path, "host"], state);
    checkHost(host, [...path, "host"], problems);
  }
  const urlPath = own(value, "path");
  if (typeof urlPath === "string") checkTemplate(urlPath, [...path, "path"], state);
  const method = own(value, "method");
  if (method === undefined) {
    problems.warning([...path, "method"], 'is missing, so Inlet sends GET: write "method": "GET" (or "POST").');
  } else if (typeof method === "string") {
    const upper = method.trim().toUpperCase();
    if (upper !== "GET" && upper !== "POST") {
      problems.error(
        [...path, "method"],
        `must be GET or POST (found ${quote(method)}): REST sources read with GET or POST.`,
      );
    } else if (upper !== method) {
      problems.warning([...path, "method"], `write the method in upper case: "${upper}".`);
    }
  } else {
    problems.error([...path, "method"], 'must be the string "GET" or "POST".');
  }
  if (own(value, "queryParams") !== undefined)
    checkParamMap(own(value, "queryParams"), [...path, "queryParams"], state, false);
}

function checkHost(host: string, path: Path, problems: ProblemList): void {
  const trimmed = host.trim();
  if (trimmed === "" || trimmed.includes("@{") || /^\$?\{/.test(trimmed)) {
    if (trimmed === "")
      problems.error(
        path,
        'is empty: write the base URL, e.g. "https://api.example.com", or remove host to use the auth param host.',
      );
    return;
  }
  let url: URL | undefined;
  try {
    url = new URL(trimmed.replace(/\$\{[^}]*\}|\{[^}]*\}/g, "x"));
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    problems.error(
      path,
      `${quote(host)} is not an absolute http(s) URL: write it like "https://\${domain}.api.example.com", or a single placeholder such as "\${host}".`,
    );
  }
}

/** queryParams / headerParams: an object, JSON(-ish) in a string, or the legacy `a=b,c=${x}`. */
function checkParamMap(value: unknown, path: Path, state: State, headers: boolean): void {
  const { problems } = state;
  if (typeof value === "string" && value.includes("@{")) {
    checkTemplate(value, path, state);
    return;
  }
  let entries: Record<string, string>;
  try {
    entries = parseParamMap(value, path.join("."));
  } catch (error) {
    problems.error(
      path,
      `cannot be read: ${(error as Error).message}. Write an object such as {"name": "value"} (values may hold \${placeholders}).`,
    );
    return;
  }
  const perKey = isObject(value);
  for (const [name, text] of Object.entries(entries)) {
    const at = perKey ? [...path, name] : path;
    if (headers && !headerName.test(name)) {
      problems.error(
        at,
        `${quote(name, 40)} is not a valid HTTP header name: use letters, digits and - (e.g. "X-Api-Key").`,
      );
    }
    if (perKey && isObject(own(value as Json, name))) {
      problems.warning(at, "is an object; it is sent as its JSON text. Write a string if that is not what you mean.");
    }
    checkTemplate(text, at, state);
  }
}

function checkBody(value: unknown, path: Path, state: State): void {
  if (typeof value === "string") {
    checkTemplate(value, path, state);
    return;
  }
  if (!isObject(value)) return;
  const deep = depthExceeds(value, maxBodyDepth);
  if (deep) {
    state.problems.error([...path, ...deep], `bodyParams nests deeper than ${maxBodyDepth} levels; flatten it.`);
    return;
  }
  const stack: { value: unknown; path: Path }[] = [{ value, path }];
  while (stack.length > 0) {
    const node = stack.pop() as { value: unknown; path: Path };
    if (typeof node.value === "string") checkTemplate(node.value, node.path, state);
    else if (Array.isArray(node.value)) {
      for (const [i, item] of node.value.entries()) stack.push({ value: item, path: [...node.path, i] });
    } else if (isObject(node.value)) {
      for (const key of Object.keys(node.value)) stack.push({ value: node.value[key], path: [...node.path, key] });
    }
  }
}

// ---------------------------------------------------------------- record paths

function checkJsonPath(value: unknown, path: Path, problems: ProblemList): void {
  if (typeof value !== "string" || value.trim() === "") return;
  const problem = jsonPathProblem(value);
  if (problem) problems.error(path, problem);
}

function checkPathSetting(value: unknown, path: Path, problems: ProblemList, explode: boolean): void {
  let source: unknown = value;
  let sourcePath = path;
  if (isObject(value)) {
    warnUnknownFields(problems, value, path, knownPathSetting, explode ? "explodeEntityPath" : "contentPath");
    source = own(value, "path");
    sourcePath = [...path, "path"];
  }
  if (typeof source !== "string" || source.trim() === "") return;
  const problem = jsonPathProblem(source);
  if (problem) {
    problems.error(sourcePath, problem);
    return;
  }
  if (explode && !(compilePath(source, "explodeEntityPath.path").keys?.length ?? 0)) {
    problems.error(
      sourcePath,
      'must be a plain member path such as "$.email.activity" (the sub-array of each record).',
    );
  }
}

// ---------------------------------------------------------------- pagination

type IntegerValue = { readonly ok: true; readonly value: number } | { readonly ok: false };

function integerValue(value: unknown): IntegerValue | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\s*-?\d+\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false };
}

function checkInteger(fields: Json, name: string, min: number, path: Path, problems: ProblemList): number | undefined {
  const raw = own(fields, name);
  const parsed = integerValue(raw);
  if (parsed === undefined) return undefined;
  if (!parsed.ok) {
    // Non-numeric text is reported by the structural pass; a huge number only here.
    if ((typeof raw === "number" && Number.isInteger(raw)) || (typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw))) {
      problems.error([...path, name], `${describe(raw)} is not a usable integer: write a whole number below 2^53.`);
    }
    return undefined;
  }
  if (parsed.value < min) {
    problems.error([...path, name], `must be at least ${min} (found ${parsed.value}).`);
    return undefined;
  }
  return parsed.value;
}

function describe(value: unknown): string {
  return typeof value === "string" ? quote(value) : String(value);
}

const hasText = (fields: Json, name: string) => {
  const value = own(fields, name);
  return typeof value === "string" ? value.trim() !== "" : value !== undefined && value !== null;
};

function checkPagination(value: unknown, path: Path, problems: ProblemList): void {
  if (!isObject(value)) return;
  const p = value;
  checkInteger(p, "limitValue", 1, path, problems);
  checkInteger(p, "delayRequestMillis", 0, path, problems);
  checkInteger(p, "maximumRequest", 1, path, problems);
  checkInteger(p, "initialPageIndex", 0, path, problems);
  const endPage = own(p, "endPageIndex");
  if (!(typeof endPage === "string" && endPage.startsWith("headers.")))
    checkInteger(p, "endPageIndex", 0, path, problems);

  const rawType = own(p, "type");
  const typeList = paginationTypes.join(", ");
  if (rawType === undefined) {
    problems.error([...path, "type"], `is missing: set type to one of ${typeList}.`);
    return;
  }
  if (typeof rawType !== "string") return;
  const type = rawType.trim().toUpperCase() as PaginationType;
  if (!paginationTypes.includes(type)) {
    problems.error(
      [...path, "type"],
      `${quote(rawType)} is not a pagination type: use one of ${typeList}${didYouMean(rawType, paginationTypes)}.`,
    );
    return;
  }
  if (type !== rawType) problems.warning([...path, "type"], `write the type in upper case: "${type}".`);

  const require = (name: string, why: string, ...aliases: string[]) => {
    if (![name, ...aliases].some((n) => hasText(p, n)))
      problems.error([...path, name], `is required for ${type} pagination: ${why}`);
  };
  const limitPair = () => {
    const name = hasText(p, "limitName");
    const size = hasText(p, "limitValue");
    if (name && !size)
      problems.warning([...path, "limitValue"], `is missing, so limitName is not sent: add the page size, e.g. "100".`);
    if (size && !name)
      problems.warning(
        [...path, "limitName"],
        `is missing, so limitValue is not sent: name the page-size query parameter, e.g. "limit".`,
      );
  };

  switch (type) {
    case "OFFSET": {
      require("limitName", 'name the query parameter that sets the page size, e.g. "limit".');
      require("limitValue", 'give the page size, e.g. "100".');
      require("offSetName", 'name the query parameter that carries the offset, e.g. "offset" (offsetName is accepted too).', "offsetName");
      const a = own(p, "offSetName");
      const b = own(p, "offsetName");
      if (typeof a === "string" && typeof b === "string" && a !== b) {
        problems.warning(
          [...path, "offsetName"],
          `differs from offSetName (${quote(a)}), which Inlet uses: remove one of them.`,
        );
      }
      const endName = hasText(p, "endConditionName");
      const endValue = own(p, "endConditionValue") !== undefined;
      if (endName && !endValue) {
        problems.error(
          [...path, "endConditionValue"],
          'is required with endConditionName: the value that means "no more pages", e.g. "Const:false".',
        );
      }
      if (endValue && !endName) {
        problems.error(
          [...path, "endConditionName"],
          'is required with endConditionValue: the JSONPath of the response field to compare, e.g. "$.hasMore".',
        );
      }
      checkJsonPath(own(p, "endConditionName"), [...path, "endConditionName"], problems);
      break;
    }
    case "POINTER": {
      require("pointerPath", 'give the JSONPath of the next-page link in each response, e.g. "$.paging.next".', "pointer");
      if (!hasText(p, "pointerPath") && hasText(p, "pointer")) {
        problems.warning(
          [...path, "pointer"],
          'is the older name of pointerPath; Inlet reads it, but write "pointerPath".',
        );
      }
      const which = hasText(p, "pointerPath") ? "pointerPath" : "pointer";
      checkJsonPath(own(p, which), [...path, which], problems);
      limitPair();
      break;
    }
    case "CONTINUATION_TOKEN": {
      require("continuationTokenPath", 'give the JSONPath of the token in each response, e.g. "$.meta.after_cursor".');
      checkJsonPath(own(p, "continuationTokenPath"), [...path, "continuationTokenPath"], problems);
      require("parameterType", "say where the token goes: QUERYPARAM or HEADERPARAM.");
      const placement = own(p, "parameterType");
      if (typeof placement === "string" && placement.trim() !== "") {
        const upper = placement.trim().toUpperCase();
        if (upper !== "QUERYPARAM" && upper !== "HEADERPARAM") {
          problems.error([...path, "parameterType"], `must be QUERYPARAM or HEADERPARAM (found ${quote(placement)}).`);
        } else if (upper !== placement) {
          problems.warning([...path, "parameterType"], `write it in upper case: "${upper}".`);
        }
      }
      require("parameterName", 'name the query parameter or header that carries the token, e.g. "page[after]".');
      limitPair();
      break;
    }
    case "PAGE": {
      require("pageParamName", 'name the query parameter that carries the page number, e.g. "page".');
      if (!hasText(p, "limitName") && !hasText(p, "limitValue")) {
        problems.warning(
          path,
          "has no limitName/limitValue, so the API's default page size applies and Inlet cannot stop on a short page: add them if the API takes a page size.",
        );
      } else limitPair();
      break;
    }
    case "NONE":
      break;
  }

  const used = new Set([...anyPaginationField, ...paginationFields[type]]);
  for (const key of Object.keys(p)) {
    if (used.has(key)) continue;
    const owners = paginationTypes.filter((t) => paginationFields[t].includes(key));
    problems.warning(
      [...path, key],
      owners.length > 0
        ? `is not used by ${type} pagination (only by ${owners.join(", ")}): remove it, or change type.`
        : `${quote(key)} is not a pagination field Inlet knows; it is kept as is${didYouMean(key, allPaginationFields)}.`,
    );
  }
}

// ---------------------------------------------------------------- schedule windows

function checkFormat(value: unknown, path: Path, problems: ProblemList): void {
  if (typeof value !== "string" || value === "") return;
  const result = checkDateFormat(value);
  if (result.error) problems.error(path, `${quote(value)} ${result.error}`);
  for (const warning of result.warnings) problems.warning(path, `${quote(value)} ${warning}`);
}

function checkExpression(fields: Json, name: "incremental" | "backfill", path: Path, state: State): void {
  const { problems } = state;
  const value = own(fields, name);
  const at = [...path, name];
  if (value === undefined) {
    problems.error(
      at,
      name === "incremental"
        ? 'is required for the ADVANCE form: the query of incremental runs, e.g. "updated > {START_TIME} updated < {END_TIME}".'
        : 'is required for the ADVANCE form: the query of the first (backfill) run, e.g. "updated < {END_TIME}".',
    );
    return;
  }
  if (typeof value !== "string") return;
  if (value.includes("@{")) {
    checkTemplate(value, at, state);
    return;
  }
  if (/\$\{(START_TIME|END_TIME)\}/.test(value)) {
    problems.warning(
      at,
      "writes ${START_TIME}/${END_TIME}; only {START_TIME} and {END_TIME} are replaced here, so the $ would stay in the query: drop the $.",
    );
  }
  if (name === "incremental" && !value.includes("{START_TIME}")) {
    problems.error(
      at,
      "has no {START_TIME}, so each incremental run would re-read everything: add {START_TIME} where the API takes the lower bound.",
    );
  }
  if (name === "backfill" && !value.includes("{END_TIME}")) {
    problems.warning(
      at,
      "has no {END_TIME}, so the first run also reads records that change while it runs: add {END_TIME} as the upper bound.",
    );
  }
  const others = [...value.matchAll(/\{([A-Za-z_][\w.-]*)\}/g)]
    .map((m) => m[1])
    .filter((n) => n !== "START_TIME" && n !== "END_TIME");
  if (others.length > 0) {
    problems.warning(at, `only {START_TIME} and {END_TIME} are replaced here; {${others[0]}} is sent as typed.`);
  }
}

function checkSchedule(value: unknown, path: Path, state: State): void {
  if (!isObject(value)) {
    state.schedule = "unknown";
    return;
  }
  const { problems } = state;
  const s = value;
  const type = own(s, "type");
  const known = ["type", ...standardScheduleFields, ...advanceScheduleFields];
  warnUnknownFields(problems, s, path, known, "scheduleParams");
  if (type === undefined || type === "" || type === null) {
    state.schedule = "standard";
    const start = own(s, "scheduleStartParamName");
    const end = own(s, "scheduleEndParamName");
    if (start === undefined) {
      problems.error(
        [...path, "scheduleStartParamName"],
        'is required for the standard form: name the query parameter of the window start, e.g. "since_last_changed" (or use "type": "ADVANCE").',
      );
    }
    if (end === undefined) {
      problems.error(
        [...path, "scheduleEndParamName"],
        'is required for the standard form: name the query parameter of the window end, e.g. "before_last_changed".',
      );
    }
    if (typeof start === "string" && start === end) {
      problems.error(
        [...path, "scheduleEndParamName"],
        `is the same as scheduleStartParamName (${quote(start)}): the window's two bounds need two parameters.`,
      );
    }
    for (const name of [start, end]) if (typeof name === "string" && name !== "") state.scheduleNames.add(name);
    checkFormat(own(s, "scheduleStartParamFormat"), [...path, "scheduleStartParamFormat"], problems);
    checkFormat(own(s, "scheduleEndParamFormat"), [...path, "scheduleEndParamFormat"], problems);
    for (const field of advanceScheduleFields) {
      if (own(s, field) !== undefined) {
        problems.warning(
          [...path, field],
          'is used only by "type": "ADVANCE" and is ignored here: add the type or remove the field.',
        );
      }
    }
    return;
  }
  if (typeof type !== "string") {
    state.schedule = "unknown";
    return;
  }
  if (type.trim().toUpperCase() !== "ADVANCE") {
    state.schedule = "unknown";
    problems.error(
      [...path, "type"],
      `${quote(type)} is not a scheduleParams type: write "ADVANCE", or leave type out for the standard form (scheduleStartParamName/scheduleEndParamName).`,
    );
    return;
  }
  state.schedule = "advance";
  if (type !== "ADVANCE") problems.warning([...path, "type"], 'write the type in upper case: "ADVANCE".');
  if (own(s, "paramFormat") === undefined) {
    problems.error(
      [...path, "paramFormat"],
      'is required for the ADVANCE form: the .NET date format of {START_TIME} and {END_TIME}, e.g. "yyyy-MM-ddTHH:mm:ssK".',
    );
  } else checkFormat(own(s, "paramFormat"), [...path, "paramFormat"], problems);
  checkExpression(s, "incremental", path, state);
  checkExpression(s, "backfill", path, state);
  for (const field of standardScheduleFields) {
    if (own(s, field) !== undefined) {
      problems.warning([...path, field], "is used only by the standard form and is ignored with ADVANCE: remove it.");
    }
  }
}
