/** A small, valid connection spec shaped like Adobe's MailChimp Members example (spec §4, §8). */
export function membersSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "Test Members source",
    description: "Members of a list",
    type: "generic-rest",
    providerId: "0ed90a81-07f4-4586-8190-b40eccef1c5a",
    version: "1.0",
    attributes: { category: "marketingAutomation", isSource: true },
    authSpec: [
      {
        name: "Basic Authentication",
        type: "BasicAuthentication",
        spec: {
          $schema: "http://json-schema.org/draft-07/schema#",
          type: "object",
          description: "Basic authentication",
          properties: {
            domain: { type: "string", description: "Data center, e.g. us6" },
            username: { type: "string", description: "User name" },
            password: { type: "string", format: "password", description: "API key" },
          },
          required: ["domain", "username", "password"],
        },
      },
    ],
    sourceSpec: {
      attributes: {
        uiAttributes: {
          isSource: true,
          isPreview: true,
          isBeta: true,
          category: { key: "marketingAutomation" },
          icon: { key: "testIcon" },
          description: { key: "testDescription" },
          label: { key: "testLabel" },
        },
        urlParams: { host: "https://${domain}.api.mailchimp.com", path: "/3.0/lists/${listId}/members", method: "GET" },
        contentPath: {
          path: "$.members",
          skipAttributes: ["_links"],
          keepAttributes: [],
          overrideWrapperAttribute: "member",
        },
        paginationParams: { type: "OFFSET", limitName: "count", limitValue: "100", offSetName: "offset" },
        scheduleParams: {
          scheduleStartParamName: "since_last_changed",
          scheduleEndParamName: "before_last_changed",
          scheduleStartParamFormat: "yyyy-MM-ddTHH:mm:ssZ",
          scheduleEndParamFormat: "yyyy-MM-ddTHH:mm:ssZ",
        },
      },
      spec: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        description: "Source parameters",
        properties: { listId: { type: "string", description: "List id" } },
        required: ["listId"],
      },
    },
    exploreSpec: {
      name: "Resource",
      type: "Resource",
      requestSpec: { $schema: "http://json-schema.org/draft-07/schema#", type: "object" },
      responseSpec: { $schema: "http://json-schema.org/draft-07/schema#", type: "object" },
    },
    ...overrides,
  };
}
