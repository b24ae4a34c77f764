import { describe, expect, it } from "vitest";
import { canonicalCategory, categoryKeys, nearestCategory } from "./index.ts";

describe("canonicalCategory", () => {
  it.each([
    ["marketingAutomation", "marketingAutomation"],
    ["Marketing Automation", "marketingAutomation"],
    ["marketing automation", "marketingAutomation"],
    ["marketing-automation", "marketingAutomation"],
    ["MARKETING_AUTOMATION", "marketingAutomation"],
    ["CRM", "crm"],
    ["Customer Success", "customerSuccess"],
    ["customer success", "customerSuccess"],
    ["e-Commerce", "ecommerce"],
    ["Consent and Preferences", "consentAndPreferences"],
    ["Consent & Preferences", "consentAndPreferences"],
    ["  protocols  ", "protocols"],
    ["streaming", "streaming"],
  ])("reads %j as %s", (text, key) => {
    expect(canonicalCategory(text)).toBe(key);
  });

  it("knows exactly the eleven keys of spec §8", () => {
    expect(categoryKeys).toHaveLength(11);
    for (const key of categoryKeys) expect(canonicalCategory(key)).toBe(key);
  });

  it.each(["cloudStorage", "marketing", "", "x".repeat(10_000)])("does not know %j", (text) => {
    expect(canonicalCategory(text)).toBeUndefined();
  });
});

describe("nearestCategory", () => {
  it.each([
    ["marketingAutomaton", "marketingAutomation"],
    ["ecomerce", "ecommerce"],
    ["analytic", "analytics"],
    ["Payment", "payments"],
    ["advertizing", "advertising"],
    ["protocol", "protocols"],
  ])("suggests %s → %s", (text, key) => {
    expect(nearestCategory(text)).toBe(key);
  });

  it("always answers a key, even for nonsense or huge input", () => {
    expect(categoryKeys).toContain(nearestCategory("zzzzzz"));
    expect(categoryKeys).toContain(nearestCategory("q".repeat(1_000_000)));
  });
});
