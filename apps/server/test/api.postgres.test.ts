import { expect } from '@jest/globals';
import { describeApiSuite } from './api-suite.js';

/**
 * The same suite on PostgreSQL. `.ci/run` starts a throwaway cluster (apps/server/scripts/pg-throwaway.sh)
 * and exports PIPELINE_TEST_PG_URL; without it this run FAILS (it never skips). Locally:
 *   export PIPELINE_TEST_PG_URL=$(apps/server/scripts/pg-throwaway.sh start /tmp/pg-test)
 */
const url = process.env.PIPELINE_TEST_PG_URL ?? '';

describeApiSuite('PostgreSQL', () => {
  expect(url).toMatch(/^postgres(ql)?:\/\//);
  return url;
});
