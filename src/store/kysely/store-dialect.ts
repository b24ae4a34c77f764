import type { Dialect } from "kysely";

/**
 * What a back-end folder (../sqlite, ../postgres) hands to the shared Kysely store: the Kysely
 * dialect plus the few facts Kysely does not abstract.
 */
export interface StoreDialect {
  /** "SQLite" or "PostgreSQL", for messages. */
  readonly name: string;
  /** Where the data lives, safe to print: a file path, or a URL with its password redacted. */
  readonly location: string;
  readonly dialect: Dialect;
  /** True when `error` is the driver's unique or primary-key violation. */
  isUniqueViolation(error: unknown): boolean;
  /**
   * Runs `work` (the migrations) excluding other stores of this process on the same database,
   * for back ends whose cross-process lock cannot be awaited from within one process.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
}
