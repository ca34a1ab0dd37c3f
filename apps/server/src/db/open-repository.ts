import { join } from 'node:path';
import { Repository } from './repository.js';
import { openPostgresDriver } from './postgres-driver.js';
import { openSqliteDriver } from './sqlite-driver.js';

/**
 * Opens the server's database and brings its schema up to date: PostgreSQL when `databaseUrl` is
 * given (the `DATABASE_URL` environment variable), otherwise SQLite in `<dataDir>/pipeline.sqlite`.
 */
export async function openRepository(options: { dataDir: string; databaseUrl?: string | undefined }): Promise<Repository> {
  const driver = options.databaseUrl !== undefined && options.databaseUrl !== ''
    ? openPostgresDriver(options.databaseUrl)
    : openSqliteDriver(join(options.dataDir, 'pipeline.sqlite'));
  const repository = new Repository(driver);
  try {
    await repository.migrate();
  } catch (error) {
    await repository.close().catch(() => {});
    throw error;
  }
  return repository;
}
