import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "kysely";

/**
 * Kysely's SqliteDialect with two changes that make migrations safe when several processes
 * start on one file at once:
 *
 * - transactions begin IMMEDIATE, taking the write lock up front (waiting up to busy_timeout)
 *   instead of upgrading a read snapshot later, which fails at once with SQLITE_BUSY if another
 *   process wrote in between;
 * - the adapter declares transactional DDL (SQLite has it), so the Migrator runs its check of
 *   applied migrations and the migrations themselves in that one locked transaction. Kysely's
 *   stock adapter runs them without a transaction and with a no-op lock, which is only safe
 *   for a single process.
 */
export class InletSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = Object.freeze({ ...config });
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
