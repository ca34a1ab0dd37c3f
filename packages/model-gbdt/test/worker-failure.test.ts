import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRng, matrix, type Matrix } from '@pipeline/core';
import { disposeWorkers, histGradientBoosting, PARALLEL_MIN_CELLS } from '@pipeline/model-gbdt';
import { loadFixtureSet } from './fixtures.js';
import type { PoolTestHooks } from '../src/hist-worker-pool.js';

// The histogram pool must never hang: a program read from stdin or --eval fits with the workers,
// a worker that does not start makes the fit fall back to the calling thread with a warning, and a
// worker that dies during a job makes the fit fail with a PipelineError.
//
// Each case runs in a child process on the built package (`dist/`, like the CLI's binary tests): a
// regression would block the calling thread in Atomics.wait, where no jest timeout can fire, but
// spawnSync's timeout kills the child, so the test fails instead of hanging. CI builds first.

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = new URL('../dist/', import.meta.url);
const digitsCsv = fileURLToPath(new URL('./fixtures/digits.csv', import.meta.url));
/** Generous bound on one child's fit: an idle machine needs about 1 s. */
const BOUND_MS = 15_000;
/** Kill the child after this (a hang). */
const KILL_MS = 60_000;
const ARGS = { maxIter: 5, nThreads: 2 };

/** Fails with a clear message when dist is missing or older than the sources it is built from. */
function requireFreshDist(): void {
  const pairs = [
    ['src/hist-worker-pool.ts', 'dist/hist-worker-pool.js'],
    ['src/hist-gradient-boosting.ts', 'dist/hist-gradient-boosting.js'],
    ['src/hist-supervisor.mjs', 'dist/hist-supervisor.mjs'],
    ['src/hist-worker.mjs', 'dist/hist-worker.mjs'],
    ['src/tree-lane.mjs', 'dist/tree-lane.mjs'],
    ['src/predict-lane.mjs', 'dist/predict-lane.mjs'],
    ['src/tree-predictor.ts', 'dist/tree-predictor.js'],
    ['src/tree-grower.mjs', 'dist/tree-grower.mjs'],
    ['src/iteration-grower.ts', 'dist/iteration-grower.js'],
    ['src/hist-control.mjs', 'dist/hist-control.mjs'],
    ['../core/src/worker-exec-argv.ts', '../core/dist/worker-exec-argv.js'],
  ];
  for (const [source, built] of pairs) {
    const builtPath = `${root}${built}`;
    if (!existsSync(builtPath) || statSync(builtPath).mtimeMs < statSync(`${root}${source}`).mtimeMs) {
      throw new Error(`${built} is missing or older than ${source}: run 'pnpm build' before these tests`);
    }
  }
}

/** What the child prints: the fit's probabilities (base64 of the float32 bytes) or its error. */
interface ChildResult {
  readonly ok: boolean;
  readonly proba?: string;
  readonly code?: string;
  readonly message?: string;
  /** Milliseconds of the fit (and predict). */
  readonly ms: number;
  readonly warnings: Array<{ message: string; error?: string }>;
  readonly debug: Array<{ message: string; threads?: number; parallel?: string }>;
  /** With `refit`: a second fit, without test hooks, in the same process. */
  readonly refit?: string;
}

// Plain JavaScript read by `node --input-type=module -` (or --eval); its argument is a JSON config.
const CHILD = `
import { readFileSync } from 'node:fs';
const { dist, csv, args, hooks, refit } = JSON.parse(process.argv.at(-1));
const { histGradientBoosting, disposeWorkers } = await import(dist + 'index.js');
const { setPoolTestHooks } = await import(dist + 'hist-worker-pool.js');
const lines = readFileSync(csv, 'utf8').trim().split('\\n');
const cols = lines[0].split(',').length - 2;
const rows = lines.length - 1;
const data = new Float32Array(rows * cols);
const labels = new Int32Array(rows);
for (let i = 0; i < rows; i++) {
  const cells = lines[i + 1].split(',');
  for (let j = 0; j < cols; j++) data[i * cols + j] = Number(cells[j]);
  labels[i] = Number(cells[cols]);
}
const features = { rows, cols, data };
const warnings = [];
const debug = [];
const logger = {
  debug: (message, fields) => debug.push({ message, ...fields }),
  info() {},
  error() {},
  warn: (message, fields) => warnings.push({ message, ...fields }),
};
const base64 = (m) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString('base64');
const fit = async () => base64(await (await histGradientBoosting(args).fit({ features, labels }, { logger })).predictProba(features));
if (hooks !== undefined) setPoolTestHooks(hooks);
const started = performance.now();
const result = {};
try {
  result.proba = await fit();
  result.ok = true;
} catch (error) {
  Object.assign(result, { ok: false, code: error.code, message: error.message });
}
result.ms = performance.now() - started;
if (refit) {
  setPoolTestHooks();
  result.refit = await fit();
}
await disposeWorkers();
Object.assign(result, { warnings, debug });
process.stdout.write(JSON.stringify(result));
`;

function runChild(options: { hooks?: PoolTestHooks; refit?: boolean; via?: 'stdin' | 'eval'; csv?: string; args?: object }): ChildResult {
  const config = JSON.stringify({
    dist: dist.href,
    csv: options.csv ?? digitsCsv,
    args: options.args ?? ARGS,
    hooks: options.hooks,
    refit: options.refit ?? false,
  });
  const argv = options.via === 'eval' ? ['--input-type=module', '--eval', CHILD, config] : ['--input-type=module', '-', config];
  const child = spawnSync(process.execPath, argv, {
    input: options.via === 'eval' ? '' : CHILD,
    encoding: 'utf8',
    timeout: KILL_MS,
    cwd: root,
  });
  if (child.status !== 0) {
    throw new Error(`child ${child.signal === null ? `exited with ${child.status}` : `killed by ${child.signal} (a hang?)`}: ${child.stderr}`);
  }
  return JSON.parse(child.stdout) as ChildResult;
}

const base64 = (m: Matrix) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString('base64');
/** The same fit in this process, on the calling thread alone (results do not depend on threads). */
let expected: string;
/** Narrow multiclass data (8 features, 5 classes), where the workers grow whole trees: its CSV and 1-thread probabilities. */
let narrowDir: string;
let narrowCsv: string;
let expectedNarrow: string;
/** The same with PREDICT_ARGS: enough trees (60 × 5, no early stopping) that predicting the 14,000 training rows is shared with the idle pool. */
let expectedNarrowPredict: string;
const PREDICT_ARGS = { maxIter: 60, nThreads: 2, earlyStopping: false };

beforeAll(async () => {
  requireFreshDist();
  const { features, labels } = loadFixtureSet('digits');
  expect(features.rows * features.cols).toBeGreaterThanOrEqual(PARALLEL_MIN_CELLS); // so the workers are used
  const model = await histGradientBoosting({ ...ARGS, nThreads: 1 }).fit({ features, labels });
  expected = base64(await model.predictProba(features));

  // Same layout as the fixtures (features, label, fold); values with few decimals so the CSV round trip is exact.
  const rng = createRng(5);
  const rows = 14_000;
  const cols = 8;
  const data = new Float32Array(rows * cols);
  const narrowLabels = new Int32Array(rows);
  const lines = [[...Array.from({ length: cols }, (_, j) => `f${j}`), 'label', 'fold'].join(',')];
  for (let i = 0; i < rows; i++) {
    const c = rng.int(5);
    narrowLabels[i] = c;
    for (let j = 0; j < cols; j++) data[i * cols + j] = Math.round((rng.normal() + (j < 3 ? (c - 2) * (j + 1) * 0.4 : 0)) * 64) / 64;
    lines.push([...data.subarray(i * cols, (i + 1) * cols), c, 0].join(','));
  }
  narrowDir = mkdtempSync(join(tmpdir(), 'gbdt-narrow-'));
  narrowCsv = join(narrowDir, 'narrow.csv');
  writeFileSync(narrowCsv, lines.join('\n') + '\n');
  const narrow = { features: matrix(rows, cols, data), labels: narrowLabels };
  expect(rows * cols).toBeGreaterThanOrEqual(PARALLEL_MIN_CELLS);
  expectedNarrow = base64(await (await histGradientBoosting({ ...ARGS, nThreads: 1 }).fit(narrow)).predictProba(narrow.features));
  expect(rows * PREDICT_ARGS.maxIter * 5).toBeGreaterThanOrEqual(2 ** 22);
  expectedNarrowPredict = base64(await (await histGradientBoosting({ ...PREDICT_ARGS, nThreads: 1 }).fit(narrow)).predictProba(narrow.features));
}, 120_000);

afterAll(async () => {
  await disposeWorkers();
  rmSync(narrowDir, { recursive: true, force: true });
});

describe('histogram worker pool', () => {
  it.each(['stdin', 'eval'] as const)(
    'fits with its worker threads when the main module comes from %s (used to hang forever)',
    (via) => {
      const result = runChild({ via });
      expect(result).toMatchObject({ ok: true, warnings: [] });
      expect(result.debug.find((entry) => entry.message === 'hist-gradient-boosting fit')?.threads).toBe(2);
      expect(result.proba).toBe(expected);
      expect(result.ms).toBeLessThan(BOUND_MS);
    },
    KILL_MS + 10_000,
  );

  it('falls back to the calling thread with a warning when the threads cannot load their modules', () => {
    // The flag that broke stdin programs, forced back in: the supervisor's module fails to load.
    const result = runChild({ hooks: { execArgv: ['--input-type=module'] } });
    expect(result.ok).toBe(true);
    expect(result.proba).toBe(expected);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.message).toBe('histogram worker threads did not start; fitting on the calling thread');
    expect(result.warnings[0]!.error).toContain('--input-type can only be used with string input');
    expect(result.ms).toBeLessThan(BOUND_MS);
  }, KILL_MS + 10_000);

  it('falls back when Node refuses to start the thread (invalid worker flags)', () => {
    const result = runChild({ hooks: { execArgv: ['--title=x'] } });
    expect(result.ok).toBe(true);
    expect(result.proba).toBe(expected);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.error).toContain('Initiated Worker with invalid execArgv flags: --title=x');
    expect(result.ms).toBeLessThan(BOUND_MS);
  }, KILL_MS + 10_000);

  it('falls back when a worker throws while loading', () => {
    const result = runChild({ hooks: { fault: 'throw-at-start' } });
    expect(result.ok).toBe(true);
    expect(result.proba).toBe(expected);
    expect(result.warnings.map((w) => w.error)).toEqual([
      "field 'nThreads': could not start the histogram worker threads: worker 0 stopped before it was ready: " +
        'Error: test hook: histogram worker failed to start (set nThreads: 1 to fit on the calling thread)',
    ]);
    expect(result.ms).toBeLessThan(BOUND_MS);
  }, KILL_MS + 10_000);

  it('falls back when a worker never says it is ready (start timeout)', () => {
    const result = runChild({ hooks: { fault: 'never-ready', startTimeoutMs: 500 } });
    expect(result.ok).toBe(true);
    expect(result.proba).toBe(expected);
    expect(result.warnings.map((w) => w.error)).toEqual([
      "field 'nThreads': could not start the histogram worker threads: the workers were not ready after 500 ms " +
        '(set nThreads: 1 to fit on the calling thread)',
    ]);
    expect(result.ms).toBeLessThan(BOUND_MS);
  }, KILL_MS + 10_000);

  it('fails with a PipelineError when a worker dies during a job, and the next fit starts a new pool', () => {
    const result = runChild({ hooks: { fault: 'exit-in-job' }, refit: true });
    expect(result.ok).toBe(false);
    expect(result.code).toBe('E_INTERNAL');
    expect(result.message).toBe(
      "field 'nThreads': histogram worker thread 0 stopped with exit code 70 during the fit (set nThreads: 1 to fit on the calling thread)",
    );
    expect(result.ms).toBeLessThan(BOUND_MS);
    expect(result.refit).toBe(expected);
  }, KILL_MS + 10_000);

  it('grows whole trees on its workers for narrow multiclass data, with the bytes of the calling thread', () => {
    const result = runChild({ csv: narrowCsv });
    expect(result).toMatchObject({ ok: true, warnings: [] });
    expect(result.debug.find((entry) => entry.message === 'hist-gradient-boosting fit')).toMatchObject({ threads: 2, parallel: 'trees' });
    expect(result.proba).toBe(expectedNarrow);
    expect(result.ms).toBeLessThan(BOUND_MS);
  }, KILL_MS + 10_000);

  it('fails with a PipelineError when a worker dies while growing whole trees, and the next fit starts a new pool', () => {
    const result = runChild({ csv: narrowCsv, hooks: { fault: 'exit-in-job' }, refit: true });
    expect(result.debug.find((entry) => entry.message === 'hist-gradient-boosting fit')).toMatchObject({ parallel: 'trees' });
    expect(result.ok).toBe(false);
    expect(result.code).toBe('E_INTERNAL');
    expect(result.message).toBe(
      "field 'nThreads': histogram worker thread 0 stopped with exit code 70 during the fit (set nThreads: 1 to fit on the calling thread)",
    );
    expect(result.ms).toBeLessThan(BOUND_MS);
    expect(result.refit).toBe(expectedNarrow);
  }, KILL_MS + 10_000);

  it('fails with a PipelineError when a worker dies during a shared prediction, and the next fit and prediction work', () => {
    // workersOnly: the calling thread takes no block, so it must wait for the worker (else it could
    // predict every block before the dying worker is even scheduled).
    const result = runChild({ csv: narrowCsv, args: PREDICT_ARGS, hooks: { fault: 'exit-in-predict', workersOnly: true }, refit: true });
    expect(result.debug.find((entry) => entry.message === 'hist-gradient-boosting fit')).toMatchObject({ threads: 2, parallel: 'trees' });
    expect(result.ok).toBe(false);
    expect(result.code).toBe('E_INTERNAL');
    expect(result.message).toBe(
      "field 'nThreads': histogram worker thread 0 stopped with exit code 70 during a prediction (set nThreads: 1 to predict on the calling thread)",
    );
    expect(result.ms).toBeLessThan(BOUND_MS);
    expect(result.refit).toBe(expectedNarrowPredict);
  }, KILL_MS + 10_000);
});
