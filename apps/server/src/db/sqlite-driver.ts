import Database from 'better-sqlite3';
import type { SqlDriver, SqlValue } from '@pipeline/server-db';

/**
 * SQLite through better-sqlite3 (12.x: 13.x crashes on Node 20). WAL mode, foreign keys on, a busy
 * timeout so a second process (e.g. `pipeline server token create`) can write while the server runs.
 * Calls are synchronous; a transaction body runs within microtasks, so no other request interleaves.
 */
export function openSqliteDriver(file: string): SqlDriver {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  let depth = 0;
  const driver: SqlDriver = {
    dialect: 'sqlite',
    all: async <Row>(sql: string, params: readonly SqlValue[] = []) => prepare(sql).all(...params) as Row[],
    get: async <Row>(sql: string, params: readonly SqlValue[] = []) => prepare(sql).get(...params) as Row | undefined,
    run: async (sql, params = []) => ({ changes: prepare(sql).run(...params).changes }),
    exec: async (sql) => {
      db.exec(sql);
    },
    transaction: async (body) => {
      if (depth > 0) return body(driver);
      depth++;
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await body(driver);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      } finally {
        depth--;
      }
    },
    close: async () => {
      db.close();
    },
  };
  return driver;
}
