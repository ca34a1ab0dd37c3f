/**
 * The training server's database schema, as numbered migrations: this package is its one owner
 * (layout in SCHEMA.md). Each migration runs once, in order, in a transaction, and is recorded in
 * `schema_migrations`; the newest recorded version is the database's schema version. The SQL is
 * portable between SQLite and PostgreSQL: TEXT ids (UUIDs), ISO-8601 TEXT timestamps (sortable),
 * JSON stored as TEXT, booleans as INTEGER 0/1. Never edit a released migration: add the next one
 * (and raise {@link SERVER_DB_SCHEMA_VERSION} with it).
 */
import { PipelineError } from '@pipeline/core';
import type { SqlDriver } from './sql-driver.js';

/** One step of the schema: applied once, in version order. */
export interface Migration {
  /** Its number: 1, 2, … with no gaps; the schema version once it is applied. */
  readonly version: number;
  /** What it adds, recorded beside the version. */
  readonly name: string;
  /** Portable `;`-separated statements without parameters. */
  readonly sql: string;
}

/** Every migration, in version order. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'workspaces, tokens, datasets, training sessions, models',
    sql: `
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
CREATE TABLE datasets (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  file_name TEXT NOT NULL UNIQUE,
  original_name TEXT,
  size_bytes BIGINT NOT NULL,
  row_count INTEGER NOT NULL,
  columns TEXT NOT NULL,
  label_distribution TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX datasets_by_workspace ON datasets (workspace_id, created_at);
CREATE TABLE training_sessions (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  dataset_id TEXT NOT NULL,
  model_kind TEXT NOT NULL,
  model_name TEXT NOT NULL,
  options TEXT NOT NULL,
  status TEXT NOT NULL,
  progress TEXT,
  epochs_completed INTEGER NOT NULL DEFAULT 0,
  metrics TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  artifact_dir TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX sessions_by_workspace ON training_sessions (workspace_id, created_at);
CREATE INDEX sessions_by_status ON training_sessions (status);
CREATE TABLE models (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  model_kind TEXT NOT NULL,
  session_id TEXT NOT NULL,
  dataset_id TEXT NOT NULL,
  metrics TEXT NOT NULL,
  classes TEXT NOT NULL,
  artifact_dir TEXT NOT NULL,
  is_current INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  UNIQUE (workspace_id, name, version)
);
CREATE INDEX models_by_workspace ON models (workspace_id, name);
`,
  },
];

/** The schema version this package writes and reads: the newest migration's. */
export const SERVER_DB_SCHEMA_VERSION: number = migrations[migrations.length - 1]!.version;

/** Where the database is, for error messages (a SQLite file path, or a name such as `DATABASE_URL`: never a password). */
export interface MigrateOptions {
  readonly database?: string;
}

/** The database's schema version: the newest recorded migration, 0 for a database without one. */
export async function schemaVersion(driver: SqlDriver): Promise<number> {
  await driver.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const row = await driver.get<{ version: number | string | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  return row?.version === undefined || row.version === null ? 0 : Number(row.version);
}

/**
 * Brings the database up to {@link SERVER_DB_SCHEMA_VERSION}: applies every migration it has not
 * recorded and returns the versions applied. A database whose schema is newer than this package's
 * (written by a newer server) is refused with `E_STATE` naming the upgrade, and left untouched.
 */
export async function migrate(driver: SqlDriver, options: MigrateOptions = {}): Promise<number[]> {
  const found = await schemaVersion(driver);
  if (found > SERVER_DB_SCHEMA_VERSION) {
    throw new PipelineError('E_STATE', `the database has schema version ${found}, newer than this server's ${SERVER_DB_SCHEMA_VERSION}`, {
      ...(options.database === undefined ? {} : { file: options.database }),
      field: 'schema_migrations.version',
      hint: `upgrade @pipeline/server (and @pipeline/server-db) to a release with schema version ${found} to open it; older servers never guess at newer schemas`,
    });
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await driver.transaction(async (tx) => {
      // two servers starting at once on one PostgreSQL database: the second waits, then sees the row
      if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(7270160001)');
      const row = await tx.get<{ version: number }>('SELECT version FROM schema_migrations WHERE version = ?', [migration.version]);
      if (row !== undefined) return false;
      await tx.exec(migration.sql);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [migration.version, migration.name, new Date().toISOString()]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}
