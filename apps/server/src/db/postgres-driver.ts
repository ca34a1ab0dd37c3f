import pg from 'pg';
import type { SqlDriver, SqlValue } from '@pipeline/server-db';

/** Rewrites `?` placeholders (outside quotes) to `$1…$n`. */
export function toPostgresPlaceholders(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = '';
  for (const char of sql) {
    if (char === "'") quoted = !quoted;
    out += char === '?' && !quoted ? `$${++n}` : char;
  }
  return out;
}

interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

function driverOn(client: Queryable, inTransaction: boolean, pool: pg.Pool): SqlDriver {
  const query = (sql: string, params: readonly SqlValue[]) => client.query(toPostgresPlaceholders(sql), [...params]);
  const driver: SqlDriver = {
    dialect: 'postgres',
    all: async <Row>(sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rows as Row[],
    get: async <Row>(sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rows[0] as Row | undefined,
    run: async (sql, params = []) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
    exec: async (sql) => {
      await client.query(sql);
    },
    transaction: async (body) => {
      if (inTransaction) return body(driver);
      const connection = await pool.connect();
      try {
        await connection.query('BEGIN');
        const result = await body(driverOn(connection, true, pool));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        connection.release();
      }
    },
    close: async () => {
      if (!inTransaction) await pool.end();
    },
  };
  return driver;
}

/** PostgreSQL through a `pg` pool (when `DATABASE_URL` is set). BIGINT counts come back as numbers. */
export function openPostgresDriver(connectionString: string): SqlDriver {
  pg.types.setTypeParser(20, (value) => Number(value));
  const pool = new pg.Pool({ connectionString, max: 10 });
  pool.on('error', () => {});
  return driverOn(pool as unknown as Queryable, false, pool);
}
