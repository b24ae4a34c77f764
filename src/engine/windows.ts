/**
 * Incremental windows (spec §4.7). The standard form adds the window bounds as query parameters;
 * the ADVANCE form renders `{START_TIME}`/`{END_TIME}` into the incremental or backfill expression,
 * which then replaces `{SCHEDULE_QUERY}` wherever the request settings use it.
 */
import { EngineError } from "./errors.ts";
import { formatDotNet } from "./time/dotnet-format.ts";

/**
 * The incremental window of a read. A backfill window renders the `backfill` expression and starts
 * at the Unix epoch unless `start` is given; an incremental window needs `start`.
 */
export interface ReadWindow {
  readonly start?: Date;
  readonly end: Date;
  readonly backfill?: boolean;
}

interface Bounds {
  readonly start: Date;
  readonly end: Date;
  readonly backfill: boolean;
}

export interface WindowValues {
  readonly queryParams: Readonly<Record<string, string>>;
  readonly placeholders: Readonly<Record<string, string>>;
}

/** Used when a spec names no format: ISO 8601 to the second, `Z` in UTC. */
export const defaultWindowFormat = "yyyy-MM-ddTHH:mm:ssK";

type Json = Record<string, unknown>;

function optionalString(params: Json, key: string): string | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new EngineError("spec", `scheduleParams.${key} must be a string`);
  return value;
}

function requiredString(params: Json, key: string, form: string): string {
  const value = optionalString(params, key);
  if (value === undefined || value.trim() === "")
    throw new EngineError("spec", `scheduleParams.${key} is required for the ${form} form`);
  return value;
}

function bounds(window: ReadWindow): Bounds {
  const backfill = window.backfill === true;
  if (window.start === undefined && !backfill)
    throw new EngineError("params", "An incremental window needs a start (only a backfill window starts at the epoch)");
  const start = window.start ?? new Date(0);
  if (
    !(start instanceof Date) ||
    !(window.end instanceof Date) ||
    Number.isNaN(start.getTime()) ||
    Number.isNaN(window.end.getTime())
  )
    throw new EngineError("params", "The window start or end is not a valid date");
  if (start.getTime() > window.end.getTime())
    throw new EngineError(
      "params",
      `The window starts after it ends (${start.toISOString()} > ${window.end.toISOString()})`,
    );
  return { start, end: window.end, backfill };
}

function advance(params: Json, window: Bounds): WindowValues {
  const format = optionalString(params, "paramFormat") ?? defaultWindowFormat;
  const which = window.backfill ? "backfill" : "incremental";
  const expression = requiredString(params, which, `ADVANCE (${which} window)`);
  const times: Record<string, string> = {
    START_TIME: formatDotNet(window.start, format),
    END_TIME: formatDotNet(window.end, format),
  };
  // Only the two bound names are substituted: the expression is otherwise the API's own query language.
  const query = expression.replace(/\{(START_TIME|END_TIME)\}/g, (_m, name: string) => times[name] as string);
  return { queryParams: {}, placeholders: { ...times, SCHEDULE_QUERY: query } };
}

function standard(params: Json, window: Bounds): WindowValues {
  const startName = requiredString(params, "scheduleStartParamName", "standard");
  const endName = requiredString(params, "scheduleEndParamName", "standard");
  if (startName === endName)
    throw new EngineError("spec", `scheduleStartParamName and scheduleEndParamName are both "${startName}"`);
  const start = formatDotNet(window.start, optionalString(params, "scheduleStartParamFormat") ?? defaultWindowFormat);
  const end = formatDotNet(window.end, optionalString(params, "scheduleEndParamFormat") ?? defaultWindowFormat);
  return { queryParams: { [startName]: start, [endName]: end }, placeholders: { START_TIME: start, END_TIME: end } };
}

export function renderWindow(scheduleParams: unknown, window: ReadWindow): WindowValues {
  if (scheduleParams === null || typeof scheduleParams !== "object" || Array.isArray(scheduleParams))
    throw new EngineError("spec", "scheduleParams must be a JSON object");
  const checked = bounds(window);
  const params = scheduleParams as Json;
  const type = optionalString(params, "type");
  if (type !== undefined && type.toUpperCase() === "ADVANCE") return advance(params, checked);
  if (type !== undefined && type.trim() !== "")
    throw new EngineError(
      "spec",
      `scheduleParams.type "${type}" is unknown (only ADVANCE, or no type for the standard form)`,
    );
  return standard(params, checked);
}
