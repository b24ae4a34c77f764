/** The playground's words for what the engine answers: stop reasons, and problem locations. */
import { frame, type Located, type Location, locate } from "./json-locate.ts";

export interface LintProblem {
  readonly pointer: string;
  readonly message: string;
  readonly severity: "error" | "warning";
}

export interface LintAnswer {
  readonly valid: boolean;
  readonly problems: readonly LintProblem[];
  readonly syntaxError?: { line: number; column: number; message: string };
}

export const stopReasonText: Readonly<Record<string, string>> = {
  "end-condition": "the end condition of the pagination matched",
  "empty-page": "a page returned no records",
  "short-page": "a page returned fewer records than the page size",
  "no-next-token": "the response named no next page",
  "end-page-index": "the last page index was reached",
  "maximum-request": "the spec's maximumRequest was reached",
  "record-limit": "the record limit was reached",
  "single-page": "the spec reads a single page",
  error: "the read failed",
};

export function describeStop(
  stopReason: string,
  limitedBy: string | undefined,
  limits: { maxPages: number; maxRecords: number },
): string {
  if (limitedBy === "maxPages")
    return `the playground's limit of ${limits.maxPages} page(s) was reached; a real run would read on`;
  if (limitedBy === "maxRecords")
    return `the playground's limit of ${limits.maxRecords} record(s) was reached; a real run would read on`;
  return stopReasonText[stopReason] ?? stopReason;
}

export interface PlacedProblem extends LintProblem {
  readonly location: Located | undefined;
  readonly frame: ReadonlyArray<{ line: number; text: string }>;
}

/** Each problem at its field's line (or its nearest existing parent's), with the lines around it. */
export function placeProblems(
  text: string,
  answer: LintAnswer,
  locations: ReadonlyMap<string, Location>,
): PlacedProblem[] {
  if (answer.syntaxError) {
    const { line, column, message } = answer.syntaxError;
    return [
      {
        pointer: "",
        message: `Not valid JSON: ${message}`,
        severity: "error",
        location: { line, column, exact: true, at: "" },
        frame: frame(text, line),
      },
    ];
  }
  return answer.problems
    .map((problem) => {
      const location = locate(problem.pointer, locations);
      return { ...problem, location, frame: location ? frame(text, location.line) : [] };
    })
    .sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
}

/** A connection spec to start from: the shape of spec §1.2 with one Basic auth and OFFSET pagination. */
export const templateSpec = {
  name: "My source",
  description: "What the source brings in.",
  type: "generic-rest",
  providerId: "0ed90a81-07f4-4586-8190-b40eccef1c5a",
  version: "1.0",
  attributes: { uiAttributes: { apiFeatures: { explorePaginationSupported: false } } },
  authSpec: [
    {
      name: "Basic Authentication",
      type: "BasicAuthentication",
      spec: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        properties: {
          host: { type: "string", description: "The API's base URL." },
          username: { type: "string" },
          password: { type: "string", format: "password" },
        },
        required: ["host", "username", "password"],
      },
    },
  ],
  sourceSpec: {
    attributes: {
      uiAttributes: {
        isSource: true,
        isBeta: true,
        category: { key: "protocols" },
        icon: { key: "mySourceIcon" },
        description: { text: "What the source brings in." },
        label: { text: "My source" },
      },
      urlParams: { host: "${host}", path: "/v1/items", method: "GET" },
      contentPath: { path: "$.items", skipAttributes: [], keepAttributes: [] },
      paginationParams: { type: "OFFSET", limitName: "limit", limitValue: "100", offSetName: "offset" },
      scheduleParams: {
        scheduleStartParamName: "updated_since",
        scheduleEndParamName: "updated_before",
        scheduleStartParamFormat: "yyyy-MM-ddTHH:mm:ssZ",
        scheduleEndParamFormat: "yyyy-MM-ddTHH:mm:ssZ",
      },
    },
    spec: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      description: "Define user input parameters to fetch resource values.",
      properties: {},
    },
  },
  exploreSpec: {
    name: "Resource",
    type: "Resource",
    requestSpec: { $schema: "http://json-schema.org/draft-07/schema#", type: "object" },
    responseSpec: { $schema: "http://json-schema.org/draft-07/schema#", type: "object" },
  },
};
