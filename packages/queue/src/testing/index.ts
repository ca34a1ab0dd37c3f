/** Test helpers: a throwaway redis-server for tests of code that uses the queue (`@pipeline/queue/testing`). */
export { startTestRedis, type TestRedis } from './start-test-redis.js';
