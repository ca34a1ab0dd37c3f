/**
 * The minimal SQL surface both database drivers implement. Statements are written once with `?`
 * placeholders and portable types (TEXT, INTEGER, BIGINT); the PostgreSQL driver rewrites the
 * placeholders to `$1…$n`.
 */
/** A parameter or column value: TEXT, INTEGER/BIGINT, or NULL. */
export type SqlValue = string | number | null;

/** One database connection (or pool) that the schema and the server's queries run on. */
export interface SqlDriver {
  /** Which SQL dialect answers: PostgreSQL-only statements (advisory locks) run only there. */
  readonly dialect: 'sqlite' | 'postgres';
  /** Every row of a query. */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** The first row of a query, or undefined. */
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** Runs a statement; `changes` is the number of rows it touched. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Runs several `;`-separated statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `body` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(body: (tx: SqlDriver) => Promise<T>): Promise<T>;
  /** Closes the connection (or pool). */
  close(): Promise<void>;
}
