import { join } from 'node:path';
import { Repository } from './repository.js';
import { openPostgresDriver } from './postgres-driver.js';
import { openSqliteDriver } from './sqlite-driver.js';

/**
 * Opens the server's database and brings its schema up to date: PostgreSQL when `databaseUrl` is
 * given (the `DATABASE_URL` environment variable), otherwise SQLite in `<dataDir>/pipeline.sqlite`.
 * A database with a newer schema than `@pipeline/server-db`'s is refused (`E_STATE`).
 */
export async function openRepository(options: { dataDir: string; databaseUrl?: string | undefined }): Promise<Repository> {
  const postgres = options.databaseUrl !== undefined && options.databaseUrl !== '';
  const sqliteFile = join(options.dataDir, 'pipeline.sqlite');
  const driver = postgres ? openPostgresDriver(options.databaseUrl!) : openSqliteDriver(sqliteFile);
  const repository = new Repository(driver);
  try {
    // The URL may hold a password: errors name the variable instead.
    await repository.migrate({ database: postgres ? 'the PostgreSQL database of DATABASE_URL' : sqliteFile });
  } catch (error) {
    await repository.close().catch(() => {});
    throw error;
  }
  return repository;
}
