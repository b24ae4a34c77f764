/**
 * Source categories (spec §8). The docs disagree on the vocabulary (§10.18); Inlet follows the
 * spec's recommendation: camelCase keys, with the case, space, dash and underscore variants the
 * docs use elsewhere ("Marketing Automation", "customer success", "e-Commerce") accepted.
 */
import { editDistance } from "./problems.ts";

export const categoryKeys = [
  "advertising",
  "analytics",
  "consentAndPreferences",
  "crm",
  "customerSuccess",
  "database",
  "ecommerce",
  "marketingAutomation",
  "payments",
  "protocols",
  "streaming",
] as const;

export type CategoryKey = (typeof categoryKeys)[number];

/** Lower case, without spaces, dashes, underscores and dots; "&" reads as "and". */
function squash(text: string): string {
  return text
    .toLowerCase()
    .replace(/&/g, "and")
    .replace(/[\s_.-]+/g, "");
}

const bySquashed = new Map<string, CategoryKey>(categoryKeys.map((key) => [squash(key), key]));

/** The canonical key for a category written in any accepted variant, or undefined. */
export function canonicalCategory(text: string): CategoryKey | undefined {
  if (typeof text !== "string" || text.length > 100) return undefined;
  return bySquashed.get(squash(text.trim()));
}

/** The known key closest to `text` by edit distance (always one: use it as a suggestion). */
export function nearestCategory(text: string): CategoryKey {
  const wanted = typeof text === "string" ? squash(text.slice(0, 100)) : "";
  let best: CategoryKey = categoryKeys[0];
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const key of categoryKeys) {
    const distance = editDistance(wanted, squash(key));
    if (distance < bestDistance) {
      best = key;
      bestDistance = distance;
    }
  }
  return best;
}

/** A sentence for an unknown category, naming the nearest key and the full list. */
export function unknownCategoryMessage(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return (
    `category ${JSON.stringify(shown)} is not a known category: use "${nearestCategory(text)}" if that is what you ` +
    `meant, or one of ${categoryKeys.join(", ")}.`
  );
}
