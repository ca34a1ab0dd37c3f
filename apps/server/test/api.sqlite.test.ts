import { describeApiSuite } from './api-suite.js';

// SQLite: the default database, a file under the data directory.
describeApiSuite('SQLite', () => '');
