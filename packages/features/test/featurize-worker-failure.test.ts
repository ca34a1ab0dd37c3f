import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { isPipelineError } from '@pipeline/core';
import { writeH5 } from '@pipeline/ingest';
import { computeFeatures, dwtComboRecipe, featurizeH5 } from '../src/index.js';
import { setFeaturizeTestHooks, type FeaturizeTestHooks } from '../src/featurize-h5.js';
import { CHALLENGE_COLS, challengeRows, matrixBase64, warningLogger } from './support/challenge-rows.js';

// featurizeH5's worker pool must never hang: a program read from stdin or --eval featurizes with
// its workers; a worker that cannot start is left out with a warning (same bytes); a worker that
// dies with a task rejects the call. Failures are injected with the tests-only setFeaturizeTestHooks.

const ROWS = 230;
const COLS = CHALLENGE_COLS;
/** Generous bound on one call: an idle machine needs well under a second. */
const BOUND_MS = 15_000;
const TIMEOUT = 60_000;
const root = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let file: string;
let expected: string;

/** Featurizes with the hooks set, timing the call. */
async function featurizeWith(hooks: FeaturizeTestHooks, workers: number) {
  setFeaturizeTestHooks(hooks);
  const { logger, warnings } = warningLogger();
  const started = performance.now();
  const outcome = await featurizeH5(file, { workers, batchRows: 32, logger }).then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  return { ...outcome, warnings, ms: performance.now() - started };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'features-workers-'));
  file = join(dir, 'rows.h5');
  const raw = challengeRows(ROWS, 23);
  await writeH5(file, [{ key: 'features', value: raw, chunks: [32, COLS] }]);
  expected = matrixBase64(computeFeatures(dwtComboRecipe(), raw));
});

afterEach(() => setFeaturizeTestHooks());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('featurizeH5 worker failures', () => {
  it('with no main-thread help and every worker throwing while loading, this thread does every batch', async () => {
    // Deterministic: this thread starts featurizing only once the last worker has failed.
    const { result, warnings, ms } = await featurizeWith({ fault: 'throw-at-start', mainThreadWaits: true }, 3);
    expect(matrixBase64(result!.features)).toBe(expected);
    expect(warnings.map((w) => w.worker).sort()).toEqual([0, 1, 2]);
    for (const warning of warnings) {
      expect(warning.message).toBe('featurize worker did not start; the other threads do its batches');
      expect(warning.error).toBe('Error: test hook: featurize worker failed to start');
    }
    expect(ms).toBeLessThan(BOUND_MS);
  }, TIMEOUT);

  // In the next two the call may end before a failing worker reports (the other threads can finish
  // every batch first), so a warning is checked when it came; the bytes and the time always are.
  const onlyWorker0Warned = (warnings: Array<{ worker?: number; error?: string }>) => {
    expect(warnings.length).toBeLessThanOrEqual(1);
    for (const warning of warnings) expect(warning).toMatchObject({ worker: 0, error: 'Error: test hook: featurize worker failed to start' });
  };

  it('with no main-thread help and one failing worker of two, the other does every batch', async () => {
    const { result, warnings, ms } = await featurizeWith({ fault: 'throw-at-start', faultyWorker: 0, mainThreadWaits: true }, 2);
    expect(matrixBase64(result!.features)).toBe(expected);
    onlyWorker0Warned(warnings);
    expect(ms).toBeLessThan(BOUND_MS);
  }, TIMEOUT);

  it('with the calling thread helping (the default), a failing worker changes nothing', async () => {
    const { result, warnings, ms } = await featurizeWith({ fault: 'throw-at-start', faultyWorker: 0 }, 2);
    expect(matrixBase64(result!.features)).toBe(expected);
    onlyWorker0Warned(warnings);
    expect(ms).toBeLessThan(BOUND_MS);
  }, TIMEOUT);

  it('falls back when Node refuses the worker flags (no thread starts)', async () => {
    const { result, warnings, ms } = await featurizeWith({ execArgv: ['--title=x'] }, 2);
    expect(matrixBase64(result!.features)).toBe(expected);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]!.error).toContain('ERR_WORKER_INVALID_EXEC_ARGV');
    expect(ms).toBeLessThan(BOUND_MS);
  }, TIMEOUT);

  it('rejects with E_INTERNAL when a worker dies holding a task', async () => {
    // Every worker exits at its first task and only workers get tasks: the first one ready fails the call.
    const { error, ms } = await featurizeWith({ fault: 'exit-in-task', mainThreadWaits: true }, 2);
    expect(isPipelineError(error) && error.code).toBe('E_INTERNAL');
    expect((error as Error).message).toMatch(/^featurize worker [01] exited early with code 70$/);
    expect(ms).toBeLessThan(BOUND_MS);
  }, TIMEOUT);
});

// A real program read from stdin / --eval, on the built packages (like the CLI's binary tests; CI
// builds first): before the fix every worker failed with ERR_INPUT_TYPE_NOT_ALLOWED.
describe('featurizeH5 from a program read on stdin or --eval', () => {
  const dist = new URL('../dist/', import.meta.url);
  const CHILD = `
    const { dist, file, hooks } = JSON.parse(process.argv.at(-1));
    const { featurizeH5 } = await import(dist + 'index.js');
    const { setFeaturizeTestHooks } = await import(dist + 'featurize-h5.js');
    if (hooks !== undefined) setFeaturizeTestHooks(hooks);
    const warnings = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (message, fields) => warnings.push({ message, ...fields }) };
    // No main-thread help: every batch must go through a worker (or, if none starts, this thread).
    const started = performance.now();
    const result = await featurizeH5(file, { workers: 2, batchRows: 32, logger });
    const ms = performance.now() - started;
    const f = result.features.data;
    process.stdout.write(JSON.stringify({ features: Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64'), warnings, ms }));
  `;

  function runChild(via: 'stdin' | 'eval', hooks: FeaturizeTestHooks) {
    for (const [source, built] of [
      ['src/featurize-h5.ts', 'dist/featurize-h5.js'],
      ['src/featurize-worker.ts', 'dist/featurize-worker.js'],
      ['../core/src/worker-exec-argv.ts', '../core/dist/worker-exec-argv.js'],
    ] as const) {
      const builtPath = join(root, built);
      if (!existsSync(builtPath) || statSync(builtPath).mtimeMs < statSync(join(root, source)).mtimeMs) {
        throw new Error(`${built} is missing or older than ${source}: run 'pnpm build' before these tests`);
      }
    }
    const config = JSON.stringify({ dist: dist.href, file, hooks });
    const argv = via === 'eval' ? ['--input-type=module', '--eval', CHILD, config] : ['--input-type=module', '-', config];
    const child = spawnSync(process.execPath, argv, { input: via === 'eval' ? '' : CHILD, encoding: 'utf8', timeout: TIMEOUT, cwd: root });
    if (child.status !== 0) {
      throw new Error(`child ${child.signal === null ? `exited with ${child.status}` : `killed by ${child.signal} (a hang?)`}: ${child.stderr}`);
    }
    return JSON.parse(child.stdout) as { features: string; warnings: Array<{ error?: string }>; ms: number };
  }

  it.each(['stdin', 'eval'] as const)(
    'from %s, every batch goes through the workers and gives the in-process bytes',
    (via) => {
      const result = runChild(via, { mainThreadWaits: true });
      expect(result.warnings).toEqual([]);
      expect(result.features).toBe(expected);
      expect(result.ms).toBeLessThan(BOUND_MS);
    },
    TIMEOUT + 10_000,
  );

  it('with --input-type forced back onto the workers, they fail to load and the calling thread takes over', () => {
    const result = runChild('stdin', { mainThreadWaits: true, execArgv: ['--input-type=module'] });
    expect(result.features).toBe(expected);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]!.error).toContain('--input-type can only be used with string input');
    expect(result.ms).toBeLessThan(BOUND_MS);
  }, TIMEOUT + 10_000);
});
