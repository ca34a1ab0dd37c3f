import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { SERVER_DB_SCHEMA_VERSION } from '@pipeline/server-db';
import { openRepository } from '../src/db/open-repository.js';
import { openSqliteDriver } from '../src/db/sqlite-driver.js';

// The schema is @pipeline/server-db's; here on a real SQLite database as the server opens it.
describe('the database schema version (SQLite)', () => {
  it('is recorded on a new database, and a database a newer server wrote is refused untouched, naming the upgrade', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'server-schema-'));
    const repository = await openRepository({ dataDir });
    const recorded = () => repository.driver.all<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(SERVER_DB_SCHEMA_VERSION).toBe(1);
    expect(await recorded()).toEqual([{ version: 1, name: 'workspaces, tokens, datasets, training sessions, models' }]);
    // Opening again applies nothing.
    expect(await repository.migrate()).toEqual([]);
    await repository.driver.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [2, 'from a newer server', '2027-01-01T00:00:00.000Z']);
    await repository.close();

    const file = join(dataDir, 'pipeline.sqlite');
    await expect(openRepository({ dataDir })).rejects.toMatchObject({
      code: 'E_STATE',
      file,
      field: 'schema_migrations.version',
      message: `${file}, field 'schema_migrations.version': the database has schema version 2, newer than this server's 1 (upgrade @pipeline/server (and @pipeline/server-db) to a release with schema version 2 to open it; older servers never guess at newer schemas)`,
    });
    // Untouched: the same two rows, no migration run.
    const driver = openSqliteDriver(file);
    expect(await driver.all('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual([
      { version: 1, name: 'workspaces, tokens, datasets, training sessions, models' },
      { version: 2, name: 'from a newer server' },
    ]);
    await driver.close();
  });
});
