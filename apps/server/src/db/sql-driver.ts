/**
 * The minimal SQL surface both database drivers implement. Statements are written once with `?`
 * placeholders and portable types (TEXT, INTEGER, BIGINT); the PostgreSQL driver rewrites the
 * placeholders to `$1…$n`.
 */
export type SqlValue = string | number | null;

export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** Runs a statement; `changes` is the number of rows it touched. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Runs several `;`-separated statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `body` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(body: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
