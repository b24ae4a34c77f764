import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  categoryCounts,
  categoryKey,
  dataLakeSpecId,
  filterCards,
  flowSourceSpecId,
  iconDataUri,
  isSafeSvg,
  monogram,
  type SourceCard,
  sourceCard,
} from "./catalog.ts";

const artifacts = (name: string, file: string) =>
  readFileSync(new URL(`../../../examples/Sources/${name}/Artifacts/${name}-${file}`, import.meta.url), "utf8");

function withIcon(spec: Record<string, unknown>, svg: string | undefined) {
  const copy = structuredClone(spec) as {
    sourceSpec: { attributes: { uiAttributes: { icon: Record<string, unknown> } } };
  };
  if (svg !== undefined) copy.sourceSpec.attributes.uiAttributes.icon.svg = svg;
  return copy;
}

describe("catalog cards", () => {
  const members = JSON.parse(artifacts("mailchimp-members", "connectionSpec.json")) as Record<string, unknown>;
  const svg = artifacts("mailchimp-members", "icon.svg");

  it("shows a spec's label, description, category, beta badge and icon", () => {
    const card = sourceCard(withIcon(members, svg)) as SourceCard;
    expect(card).toMatchObject({
      id: "2e8580db-6489-4726-96de-e33f5f60295f",
      label: "MailChimp Members source",
      category: "marketingAutomation",
      beta: true,
      monogram: "MM",
      authTypes: ["Basic Authentication", "API Key Authentication"],
    });
    expect(card.description).toMatch(/^Members of a Mailchimp audience/);
    expect(card.icon).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from((card.icon as string).split(",")[1] as string, "base64").toString("utf8")).toBe(svg);
  });

  it("prefers uiAttributes text over keys, and falls back to a monogram without an icon", () => {
    const spec = withIcon(members, undefined) as unknown as {
      sourceSpec: { attributes: { uiAttributes: Record<string, unknown> } };
    };
    spec.sourceSpec.attributes.uiAttributes.label = { text: "Mailchimp Members" };
    spec.sourceSpec.attributes.uiAttributes.description = { key: "x", text: "From the text" };
    const card = sourceCard(spec) as SourceCard;
    expect(card.label).toBe("Mailchimp Members");
    expect(card.description).toBe("From the text");
    expect(card.icon).toBeUndefined();
  });

  it("leaves targets and non-sources out", () => {
    expect(sourceCard({ id: dataLakeSpecId, name: "Data Lake", targetSpec: {} })).toBeUndefined();
    expect(sourceCard({ id: "x", name: "t", targetSpec: {} })).toBeUndefined();
    expect(
      sourceCard({ id: "x", name: "s", sourceSpec: { attributes: { uiAttributes: { isSource: false } } } }),
    ).toBeUndefined();
    expect(sourceCard("nope")).toBeUndefined();
  });

  it("filters by category and searches label, description and category", () => {
    const cards = [
      "mailchimp-members",
      "mailchimp-campaign",
      "salesforce-contacts",
      "storefront-orders",
      "zendesk",
    ].map((name) => sourceCard(JSON.parse(artifacts(name, "connectionSpec.json"))) as SourceCard);
    expect(filterCards(cards, { category: "marketingAutomation", query: "" }).map((c) => c.label)).toEqual([
      "MailChimp Campaign source",
      "MailChimp Members source",
    ]);
    expect(filterCards(cards, { category: "", query: "orders" }).map((c) => c.label)).toEqual([
      "Storefront Orders source",
    ]);
    expect(filterCards(cards, { category: "", query: "crm contacts" }).map((c) => c.label)).toEqual([
      "Salesforce Contacts source",
    ]);
    expect(filterCards(cards, { category: "crm", query: "zendesk" })).toEqual([]);
    expect(categoryCounts(cards)).toEqual([
      { key: "crm", label: "CRM", count: 1 },
      { key: "customerSuccess", label: "Customer success", count: 1 },
      { key: "ecommerce", label: "eCommerce", count: 1 },
      { key: "marketingAutomation", label: "Marketing automation", count: 2 },
    ]);
  });

  it("reads category spellings the docs use", () => {
    expect(categoryKey("Marketing Automation")).toBe("marketingAutomation");
    expect(categoryKey("e-Commerce")).toBe("ecommerce");
    expect(categoryKey("customer success")).toBe("customerSuccess");
    expect(categoryKey("Consent and Preferences")).toBe("consentAndPreferences");
    expect(categoryKey("something else")).toBe("other");
    expect(categoryKey(undefined)).toBe("other");
    expect(monogram("zendesk")).toBe("ZE");
  });

  it("names the source of a flow", () => {
    expect(
      flowSourceSpecId({ inheritedAttributes: { sourceConnections: [{ id: "s", connectionSpec: { id: "spec-1" } }] } }),
    ).toBe("spec-1");
    expect(flowSourceSpecId({})).toBeUndefined();
  });
});

describe("untrusted SVG icons", () => {
  const ok =
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="4" height="4"/></svg>';

  it("accepts a plain drawing, with an XML declaration, comments and local references", () => {
    expect(isSafeSvg(ok)).toBe(true);
    expect(isSafeSvg(`<?xml version="1.0"?>\n<!-- icon -->\n${ok}`)).toBe(true);
    expect(isSafeSvg(ok.replace("<rect", '<use href="#g"/><rect'))).toBe(true);
  });

  it("refuses anything that runs, embeds or loads", () => {
    const bad = [
      ok.replace("</svg>", "<script>alert(1)</script></svg>"),
      ok.replace("<rect", '<rect onload="alert(1)"'),
      ok.replace("<rect", '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml"/></foreignObject><rect'),
      ok.replace("<rect", '<a href="javascript:alert(1)"/><rect'),
      ok.replace("<rect", '<image href="https://evil.example/x.png"/><rect'),
      ok.replace("<rect", '<use xlink:href="http://evil.example/s.svg#a"/><rect'),
      ok.replace("<rect", "<style>@import url(https://evil.example/a.css)</style><rect"),
      ok.replace('fill="url(#g)"', 'fill="url(https://evil.example/p)"'),
      `<!DOCTYPE svg [<!ENTITY x "y">]>${ok}`,
      '<svg viewBox="0 0 4 4"><rect/></svg>', // no namespace: an <img> would not show it
      "<html><svg xmlns='http://www.w3.org/2000/svg'/></html>",
      `<svg xmlns="http://www.w3.org/2000/svg">${"<g/>".repeat(30_000)}</svg>`, // over 100 KiB
    ];
    for (const svg of bad) expect(isSafeSvg(svg), svg.slice(0, 120)).toBe(false);
    expect(iconDataUri(bad[0])).toBeUndefined();
    expect(iconDataUri(42)).toBeUndefined();
  });

  it("encodes UTF-8 text in the data URI", () => {
    const uri = iconDataUri(ok.replace("<defs>", "<title>Café ☕</title><defs>")) as string;
    expect(Buffer.from(uri.split(",")[1] as string, "base64").toString("utf8")).toContain("Café ☕");
  });
});
