/** The server's settings, with their defaults. */
export interface ServerConfig {
  /** Where the database (SQLite), uploaded datasets and trained models live. */
  readonly dataDir: string;
  /** PostgreSQL connection string; SQLite under `dataDir` when absent. Default: `DATABASE_URL`. */
  readonly databaseUrl?: string | undefined;
  /** Largest accepted upload, in bytes (default 50 MiB). Larger: 413. */
  readonly maxUploadBytes?: number;
  /** Most data rows in an uploaded CSV (default 1,000,000). */
  readonly maxRows?: number;
  /** Most columns in an uploaded CSV (default 2,000). */
  readonly maxColumns?: number;
  /** Most rows in one predict request (default 10,000). */
  readonly maxPredictRows?: number;
  /** Trainings running at once (default 1). */
  readonly concurrency?: number;
  /** A training running longer is killed and failed (default 12 hours). */
  readonly maxTrainingMs?: number;
  /** Requests per token (or per address without one) per `rateLimitWindowMs` (default 600 per minute). */
  readonly rateLimitMax?: number;
  readonly rateLimitWindowMs?: number;
  /** pino log level (default `info`); `silent` in tests. */
  readonly logLevel?: string;
  /** Where pino writes (default stderr). */
  readonly logStream?: NodeJS.WritableStream;
  /** Modules exporting `modelKind` loaded besides the built-in kinds (tests). */
  readonly extraKindModules?: readonly string[];
  /** Directory of the web page (default `apps/server/web`); not served if missing. */
  readonly webDir?: string;
}

export interface ResolvedServerConfig extends Required<Omit<ServerConfig, 'databaseUrl' | 'logStream' | 'webDir'>> {
  readonly databaseUrl: string | undefined;
  readonly logStream: NodeJS.WritableStream;
  readonly webDir: string | undefined;
}

export function resolveServerConfig(config: ServerConfig): ResolvedServerConfig {
  return {
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl ?? (process.env.DATABASE_URL === '' ? undefined : process.env.DATABASE_URL),
    maxUploadBytes: config.maxUploadBytes ?? 50 * 1024 * 1024,
    maxRows: config.maxRows ?? 1_000_000,
    maxColumns: config.maxColumns ?? 2_000,
    maxPredictRows: config.maxPredictRows ?? 10_000,
    concurrency: config.concurrency ?? 1,
    maxTrainingMs: config.maxTrainingMs ?? 12 * 3600 * 1000,
    rateLimitMax: config.rateLimitMax ?? 600,
    rateLimitWindowMs: config.rateLimitWindowMs ?? 60_000,
    logLevel: config.logLevel ?? 'info',
    logStream: config.logStream ?? process.stderr,
    extraKindModules: config.extraKindModules ?? [],
    webDir: config.webDir,
  };
}
