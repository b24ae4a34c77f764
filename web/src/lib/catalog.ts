/**
 * The sources catalog: a card per connection spec (spec §4.2 uiAttributes), its category, the
 * filters, and the icon. Icons are untrusted SVG: the console shows them only as
 * `<img src="data:image/svg+xml;base64,…">` (an image-loaded SVG runs no script and loads nothing),
 * and refuses anything that looks active anyway, falling back to a monogram.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Adobe's Data Lake target connection spec (spec §0): a target, never a catalog card. */
export const dataLakeSpecId = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";

export const categoryLabels: Readonly<Record<string, string>> = {
  advertising: "Advertising",
  analytics: "Analytics",
  cloudStorage: "Cloud storage",
  consentAndPreferences: "Consent and preferences",
  crm: "CRM",
  customerSuccess: "Customer success",
  database: "Database",
  ecommerce: "eCommerce",
  marketingAutomation: "Marketing automation",
  payments: "Payments",
  protocols: "Protocols",
  streaming: "Streaming",
};

const normalised = (text: string) => text.replace(/[\s_&-]/g, "").toLowerCase();

/** The canonical category key for the spellings specs use ("Marketing Automation", "marketingAutomation", "e-Commerce"). */
export function categoryKey(value: string | undefined): string {
  if (value === undefined || value.trim() === "") return "other";
  const wanted = normalised(value).replace(/^consentpreferences$/, "consentandpreferences");
  return Object.keys(categoryLabels).find((key) => normalised(key) === wanted) ?? "other";
}

export function categoryLabel(key: string): string {
  return categoryLabels[key] ?? "Other";
}

export interface SourceCard {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly category: string;
  readonly beta: boolean;
  /** A data: URI of the spec's SVG icon, when it has a safe one. */
  readonly icon: string | undefined;
  /** One or two letters for the fallback icon. */
  readonly monogram: string;
  readonly authTypes: readonly string[];
}

/** `{text}` wins over `{key}` for display: keys are resource ids only Adobe can resolve. */
function uiText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (!isObject(value)) return undefined;
  return typeof value.text === "string" && value.text.trim() !== "" ? value.text : undefined;
}

function uiKey(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (!isObject(value)) return undefined;
  const found = value.key ?? value.text;
  return typeof found === "string" ? found : undefined;
}

export function monogram(label: string): string {
  const words = label
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .split(/\s+/)
    .filter(Boolean);
  const letters = words.length > 1 ? `${words[0]?.[0] ?? ""}${words[1]?.[0] ?? ""}` : (words[0]?.slice(0, 2) ?? "?");
  return letters.toUpperCase() || "?";
}

/** At most this many bytes of SVG are shown; the artifact check allows 100 KiB. */
export const maxIconBytes = 100 * 1024;

const activeContent = [
  /<script\b/i,
  /<foreignObject\b/i,
  /<(iframe|embed|object|handler|listener)\b/i,
  /<!(DOCTYPE|ENTITY)/i,
  /\son[a-z]+\s*=/i,
  /javascript:/i,
  /@import/i,
  /<\?xml-stylesheet/i,
];

/** Only local references (#id) and inline rasters may appear in href, src or url(). */
function hasExternalReference(svg: string): boolean {
  for (const match of svg.matchAll(/\b(?:xlink:)?(?:href|src)\s*=\s*(["'])(.*?)\1/gis)) {
    const target = (match[2] ?? "").trim();
    if (!target.startsWith("#") && !/^data:image\/(png|jpeg|gif|webp);base64,/i.test(target)) return true;
  }
  for (const match of svg.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi)) {
    if (!(match[2] ?? "").trim().startsWith("#")) return true;
  }
  return false;
}

/** True when the text is an SVG document with nothing active or external in it. */
export function isSafeSvg(svg: string): boolean {
  if (new TextEncoder().encode(svg).length > maxIconBytes) return false;
  const body = svg.replace(/^\uFEFF/, "").replace(/^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*/, "");
  if (!/^<svg[\s>]/i.test(body)) return false;
  if (!/xmlns\s*=\s*["']http:\/\/www\.w3\.org\/2000\/svg["']/.test(body)) return false;
  return !activeContent.some((pattern) => pattern.test(svg)) && !hasExternalReference(svg);
}

export function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function iconDataUri(svg: unknown): string | undefined {
  if (typeof svg !== "string" || !isSafeSvg(svg)) return undefined;
  return `data:image/svg+xml;base64,${base64Utf8(svg)}`;
}

/** The catalog card of a connection spec; undefined for specs that are not sources (targets). */
export function sourceCard(spec: unknown): SourceCard | undefined {
  if (!isObject(spec) || typeof spec.id !== "string") return undefined;
  if (spec.id === dataLakeSpecId || spec.targetSpec !== undefined || !isObject(spec.sourceSpec)) return undefined;
  const attributes = isObject(spec.sourceSpec.attributes) ? spec.sourceSpec.attributes : {};
  const ui = isObject(attributes.uiAttributes) ? attributes.uiAttributes : {};
  if (ui.isSource === false) return undefined;
  const topAttributes = isObject(spec.attributes) ? spec.attributes : {};
  const name = typeof spec.name === "string" ? spec.name : spec.id;
  const label = uiText(ui.label) ?? name;
  const description = uiText(ui.description) ?? (typeof spec.description === "string" ? spec.description : "");
  const rawCategory = uiKey(ui.category) ?? uiKey(topAttributes.category);
  const authTypes = Array.isArray(spec.authSpec)
    ? spec.authSpec.filter(isObject).map((entry) => String(entry.name ?? entry.type ?? ""))
    : [];
  return {
    id: spec.id,
    name,
    label,
    description,
    category: categoryKey(rawCategory),
    beta: ui.isBeta === true,
    icon: iconDataUri(isObject(ui.icon) ? ui.icon.svg : undefined),
    monogram: monogram(label),
    authTypes,
  };
}

export interface CatalogFilter {
  readonly category: string;
  readonly query: string;
}

export function filterCards(cards: readonly SourceCard[], filter: CatalogFilter): SourceCard[] {
  const words = filter.query.toLowerCase().split(/\s+/).filter(Boolean);
  return cards
    .filter((card) => filter.category === "" || card.category === filter.category)
    .filter((card) => {
      const haystack = `${card.label} ${card.name} ${card.description} ${categoryLabel(card.category)}`.toLowerCase();
      return words.every((word) => haystack.includes(word));
    })
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** The categories present, with their number of cards, for the filter. */
export function categoryCounts(cards: readonly SourceCard[]): Array<{ key: string; label: string; count: number }> {
  const counts = new Map<string, number>();
  for (const card of cards) counts.set(card.category, (counts.get(card.category) ?? 0) + 1);
  return [...counts.entries()]
    .map(([key, count]) => ({ key, label: categoryLabel(key), count }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** The connection spec id of a flow's first source (its `inheritedAttributes`, spec §1.8). */
export function flowSourceSpecId(flow: unknown): string | undefined {
  if (!isObject(flow) || !isObject(flow.inheritedAttributes)) return undefined;
  const sources = flow.inheritedAttributes.sourceConnections;
  const first = Array.isArray(sources) ? sources[0] : undefined;
  const spec = isObject(first) && isObject(first.connectionSpec) ? first.connectionSpec.id : undefined;
  return typeof spec === "string" ? spec : undefined;
}

/** Spec id → card, for naming the source of flows. */
export function cardsById(specs: readonly unknown[]): Map<string, SourceCard> {
  const out = new Map<string, SourceCard>();
  for (const spec of specs) {
    const card = sourceCard(spec);
    if (card) out.set(card.id, card);
  }
  return out;
}
