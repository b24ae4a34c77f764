import type { SecretBox } from "../secrets/secret-box.ts";
import type { MetadataStore } from "../store/metadata-store.ts";
import { type ConnectionLogger, stderrLogger } from "./logger.ts";

/** What the connection functions use: the store, the SecretBox, and optionally a logger. */
export interface ConnectionDeps {
  readonly store: MetadataStore;
  readonly secrets: SecretBox;
  readonly logger?: ConnectionLogger;
}

/** A created or patched document and the indexed parent id to store with it. */
export interface PreparedDoc {
  readonly doc: Record<string, unknown>;
  readonly parentId: string | null;
}

export function loggerOf(deps: ConnectionDeps): ConnectionLogger {
  return deps.logger ?? stderrLogger;
}
