import { describe, expect, it } from '@jest/globals';
import { isPipelineError } from '@pipeline/core';
import { SERVER_DB_SCHEMA_VERSION, migrate, migrations, schemaVersion, type SqlDriver, type SqlValue } from '../src/index.js';

/**
 * An in-memory stand-in for a database that understands only the statements `migrate` sends
 * (schema_migrations bookkeeping) and records every migration script it is asked to run. The real
 * SQL runs on SQLite and PostgreSQL in the server's suites (apps/server/test).
 */
function memoryDriver(recorded: { version: number; name: string }[] = []) {
  const scripts: string[] = [];
  let table = false;
  const driver: SqlDriver = {
    dialect: 'sqlite',
    all: async () => [],
    get: async <Row>(sql: string, params: readonly SqlValue[] = []) => {
      if (!table) throw new Error('no such table: schema_migrations');
      if (sql === 'SELECT MAX(version) AS version FROM schema_migrations') {
        return { version: recorded.length === 0 ? null : Math.max(...recorded.map((r) => r.version)) } as Row;
      }
      if (sql === 'SELECT version FROM schema_migrations WHERE version = ?') return recorded.find((r) => r.version === params[0]) as Row | undefined;
      throw new Error(`unexpected query: ${sql}`);
    },
    run: async (sql, params = []) => {
      if (!sql.startsWith('INSERT INTO schema_migrations (version, name, applied_at) VALUES')) throw new Error(`unexpected statement: ${sql}`);
      recorded.push({ version: Number(params[0]), name: String(params[1]) });
      return { changes: 1 };
    },
    exec: async (sql) => {
      if (sql.startsWith('CREATE TABLE IF NOT EXISTS schema_migrations ')) table = true;
      else scripts.push(sql);
    },
    transaction: (body) => body(driver),
    close: async () => {},
  };
  return { driver, recorded, scripts };
}

describe('the server database schema', () => {
  it('numbers its migrations 1, 2, … without gaps; the schema version is the newest', () => {
    expect(migrations.map((m) => m.version)).toEqual(Array.from({ length: migrations.length }, (_, i) => i + 1));
    expect(SERVER_DB_SCHEMA_VERSION).toBe(1);
    expect(migrations[0]!.sql).toContain('CREATE TABLE training_sessions (');
  });

  it('applies each migration once, in order, and records it', async () => {
    const db = memoryDriver();
    expect(await schemaVersion(db.driver)).toBe(0);
    expect(await migrate(db.driver)).toEqual([1]);
    expect(db.recorded).toEqual([{ version: 1, name: 'workspaces, tokens, datasets, training sessions, models' }]);
    expect(db.scripts).toEqual([migrations[0]!.sql]);
    expect(await schemaVersion(db.driver)).toBe(1);
    expect(await migrate(db.driver)).toEqual([]);
    expect(db.scripts).toHaveLength(1);
  });

  it('refuses a database with a newer schema, naming the upgrade, and runs nothing on it', async () => {
    const db = memoryDriver([{ version: 1, name: 'first' }, { version: 2, name: 'from a newer server' }]);
    const error = await migrate(db.driver, { database: '/srv/pipeline.sqlite' }).catch((e: unknown) => e);
    expect(isPipelineError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'E_STATE', file: '/srv/pipeline.sqlite', field: 'schema_migrations.version' });
    expect((error as Error).message).toBe(
      "/srv/pipeline.sqlite, field 'schema_migrations.version': the database has schema version 2, newer than this server's 1 " +
        '(upgrade @pipeline/server (and @pipeline/server-db) to a release with schema version 2 to open it; older servers never guess at newer schemas)',
    );
    expect(db.scripts).toEqual([]);
    expect(db.recorded).toHaveLength(2);
  });
});
