import type { EgressPolicy } from "../engine/index.ts";
import type { SecretBox } from "../secrets/secret-box.ts";
import type { MetadataStore } from "../store/metadata-store.ts";
import { type ConnectionLogger, stderrLogger } from "./logger.ts";

/** What the connection functions use: the store, the SecretBox, and optionally a logger and egress policy. */
export interface ConnectionDeps {
  readonly store: MetadataStore;
  readonly secrets: SecretBox;
  readonly logger?: ConnectionLogger;
  /** Which addresses authorization tests and explore may connect to (INLET_EGRESS); the engine's default when unset. */
  readonly egress?: EgressPolicy;
}

/** A created or patched document and the indexed parent id to store with it. */
export interface PreparedDoc {
  readonly doc: Record<string, unknown>;
  readonly parentId: string | null;
}

export function loggerOf(deps: ConnectionDeps): ConnectionLogger {
  return deps.logger ?? stderrLogger;
}
