import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { BullmqExecutorOptions } from '@pipeline/queue';

/**
 * The executor settings of the queue tests: short back-off and polling, and timeouts that turn a
 * missing worker or redis into an error within seconds. `extra` adds or overrides fields.
 */
export function testExecutorOptions(connection: string, storageDir: string, extra: Partial<BullmqExecutorOptions> = {}): BullmqExecutorOptions {
  return {
    connection,
    storageDir,
    backoffMs: 200,
    pollMs: 200,
    redisTimeoutMs: 8000,
    noWorkerTimeoutMs: 20_000,
    ...extra,
  };
}

/** Waits until `file` exists (a test hook's hold marker), then returns its text; throws after `ms`. */
export async function waitForFile(file: string, ms: number): Promise<string> {
  const started = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - started > ms) throw new Error(`${file} did not appear within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 50));
  return readFile(file, 'utf8');
}
