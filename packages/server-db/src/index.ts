export { SERVER_DB_SCHEMA_VERSION, migrate, migrations, schemaVersion, type MigrateOptions, type Migration } from './migrations.js';
export type { SqlDriver, SqlValue } from './sql-driver.js';
