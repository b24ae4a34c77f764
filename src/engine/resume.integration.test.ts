/** A read resumed from a checkpoint another read reported: it starts at the next page, not the first. */
import { describe, expect, it } from "vitest";
import { basicAuthSpec, connectionSpec, imitations, startMailchimp } from "../../test/imitation-apis/index.ts";
import type { PageCheckpoint } from "./pagination/index.ts";
import { readRecords } from "./read.ts";

const serve = imitations();
const auth = { username: "anystring", password: "key-us6" };
const spec = (host: string) =>
  connectionSpec(
    {
      urlParams: { host, path: "/3.0/lists/${listId}/members", method: "GET" },
      contentPath: {
        path: "$.members",
        skipAttributes: ["_links", "total_items", "list_id"],
        overrideWrapperAttribute: "member",
      },
      paginationParams: { type: "OFFSET", limitName: "count", limitValue: "10", offSetName: "offset" },
    },
    basicAuthSpec,
  );

describe("resumeFrom and onPageConsumed", () => {
  it("reports a checkpoint once every record of a page is consumed, and resumes there", async () => {
    const api = await serve(startMailchimp({ members: 25 }));
    const consumed: { checkpoint: PageCheckpoint; recordsBefore: number }[] = [];
    let seen = 0;
    const first = readRecords({
      spec: spec(api.url),
      auth,
      params: { listId: "L1" },
      onPageConsumed: (checkpoint) => {
        consumed.push({ checkpoint, recordsBefore: seen });
      },
    });
    const ids: unknown[] = [];
    for await (const record of first) {
      seen++;
      ids.push((record.member as { id: string }).id);
      if (seen === 15) break; // the worker died in the middle of the second page
    }
    // Only the first page was wholly consumed: its checkpoint came after its 10th record.
    expect(consumed).toEqual([{ checkpoint: { type: "OFFSET", offset: 10 }, recordsBefore: 10 }]);

    api.stats.log.length = 0;
    const resumed = readRecords({
      spec: spec(api.url),
      auth,
      params: { listId: "L1" },
      resumeFrom: JSON.parse(JSON.stringify(consumed[0]?.checkpoint)),
    });
    const rest: unknown[] = [];
    for await (const record of resumed) rest.push((record.member as { id: string }).id);
    expect(api.stats.log.map((r) => r.url)).toEqual([
      "/3.0/lists/L1/members?count=10&offset=10",
      "/3.0/lists/L1/members?count=10&offset=20",
    ]);
    expect([...ids.slice(0, 10), ...rest]).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
    expect(resumed.summary()).toMatchObject({ pages: 2, records: 15, stopReason: "short-page" });
  });
});
