/**
 * Finds the authSpec entry a base connection names in `auth.specName`. The docs' examples spell
 * it several ways ("Basic Authentication", "oAuth2RefreshCode", "OAuth 2 Refresh Code"), so the
 * lookup follows spec §3's recommendation: name exactly, name ignoring case, type ignoring case,
 * then a normalised form without spaces, dashes and underscores.
 */
export interface AuthSpecEntry {
  readonly name: string;
  readonly type: string;
  readonly spec: Record<string, unknown>;
}

function entriesOf(connectionSpec: Readonly<Record<string, unknown>>): AuthSpecEntry[] {
  const list = connectionSpec.authSpec;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (entry): entry is AuthSpecEntry =>
      entry !== null && typeof entry === "object" && typeof entry.name === "string" && typeof entry.type === "string",
  );
}

const normalise = (text: string) => text.replace(/[\s_-]/g, "").toLowerCase();

export function findAuthSpec(connectionSpec: Readonly<Record<string, unknown>>, specName: string): AuthSpecEntry | undefined {
  const entries = entriesOf(connectionSpec);
  const lower = specName.toLowerCase();
  return (
    entries.find((entry) => entry.name === specName) ??
    entries.find((entry) => entry.name.toLowerCase() === lower) ??
    entries.find((entry) => entry.type.toLowerCase() === lower) ??
    entries.find((entry) => normalise(entry.name) === normalise(specName) || normalise(entry.type) === normalise(specName))
  );
}
