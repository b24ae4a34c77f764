import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { withIcon } from "./register.ts";
import type { SourceReport } from "./types.ts";

const examples = fileURLToPath(new URL("../../examples/Sources/", import.meta.url));

function report(source: string, dir: string): SourceReport {
  return { source, dir, problems: [] };
}

describe("withIcon (the console's catalog icon)", () => {
  const spec = {
    name: "x",
    sourceSpec: { attributes: { uiAttributes: { icon: { key: "mailchimpMembersIcon" } } }, spec: {} },
  };

  it("stores the source's SVG beside the icon key", async () => {
    const out = (await withIcon(report("mailchimp-members", `${examples}mailchimp-members/Artifacts`), spec)) as {
      sourceSpec: { attributes: { uiAttributes: { icon: { key: string; svg: string } } } };
    };
    expect(out.sourceSpec.attributes.uiAttributes.icon.key).toBe("mailchimpMembersIcon");
    expect(out.sourceSpec.attributes.uiAttributes.icon.svg).toMatch(
      /^<\?xml[\s\S]*<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    expect(spec.sourceSpec.attributes.uiAttributes.icon).toEqual({ key: "mailchimpMembersIcon" }); // not mutated
  });

  it("leaves the spec as it is without an icon file or without uiAttributes", async () => {
    expect(await withIcon(report("nothing", "/nonexistent/Artifacts"), spec)).toBe(spec);
    const bare = { name: "y", sourceSpec: { attributes: {} } };
    expect(await withIcon(report("mailchimp-members", `${examples}mailchimp-members/Artifacts`), bare)).toBe(bare);
  });
});
