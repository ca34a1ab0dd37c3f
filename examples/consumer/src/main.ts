/**
 * A user's program: fits a two-view stack (histogram gradient boosting on a tabular view, logistic
 * regression on a second view, logistic meta-learner), predicts, saves and reloads it, keeps it in a
 * run folder and reopens that, and checks the numbers. Exits non-zero on any failed check.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, isPipelineError, loadModel, matrix, readArtifact, saveArtifact, type Matrix } from '@pipeline/core';
import { disposeWorkers, histGradientBoosting } from '@pipeline/model-gbdt';
import { logisticRegression } from '@pipeline/model-linear';
import { stratifiedKFold } from '@pipeline/model-selection';
import { RUN_FORMAT_VERSION } from '@pipeline/runs';
import { FittedStack, stackingClassifier, type StackingData } from '@pipeline/stacking';
import { saveAndReopenRun } from './run-folder.js';

/** Three classes; `tabular` tells class 0 apart, `signal` class 1: each view alone is weak. */
function makeData(n: number, seed: number): StackingData & { labels: Int32Array; views: { tabular: Matrix; signal: Matrix } } {
  const rng = createRng(seed);
  const labels = Int32Array.from({ length: n }, () => rng.int(3));
  const tabular = matrix(n, 4);
  const signal = matrix(n, 3);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    tabular.data.set([(y === 0 ? 3 : 0) + rng.normal(), rng.normal(), rng.normal(), rng.uniform()], i * 4);
    signal.data.set([(y === 1 ? 3 : 0) + rng.normal(), rng.normal(), 0.1 * rng.normal()], i * 3);
  }
  return { views: { tabular, signal }, labels, classNames: ['wake', 'light', 'deep'] };
}

function accuracy(proba: Matrix, labels: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < proba.rows; i++) {
    const row = Array.from(proba.data.subarray(i * proba.cols, (i + 1) * proba.cols));
    if (row.indexOf(Math.max(...row)) === labels[i]) hits++;
  }
  return hits / proba.rows;
}

const failures: string[] = [];
function check(condition: boolean, what: string): void {
  if (!condition) failures.push(what);
}
const same = (a: Matrix, b: Matrix) => Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength));

const train = makeData(900, 1);
const test = makeData(300, 2);
const spec = stackingClassifier({
  base: [
    { name: 'hgb', spec: histGradientBoosting({ maxIter: 40, earlyStopping: false, nThreads: 1 }), input: 'tabular' },
    { name: 'linear', spec: logisticRegression({ C: 1 }), input: 'signal' },
  ],
  meta: logisticRegression({ C: 1 }),
  splitter: stratifiedKFold({ nSplits: 4 }),
  refit: 'full',
});

try {
  const stack = await spec.fit(train, { seed: 42 });
  const oof = stack.oof!;
  check(
    JSON.stringify(stack.columns) ===
      JSON.stringify(['hgb:proba_wake', 'hgb:proba_light', 'hgb:proba_deep', 'linear:proba_wake', 'linear:proba_light', 'linear:proba_deep']),
    `stacking columns: ${stack.columns.join(', ')}`,
  );
  check(oof.z.rows === 900 && oof.z.cols === 6, `Z_oof shape ${oof.z.rows} × ${oof.z.cols}`);
  const accHgb = accuracy(oof.base['hgb']!, train.labels);
  const accLinear = accuracy(oof.base['linear']!, train.labels);
  const accStack = accuracy(oof.meta, train.labels);
  check(accStack > 0.85 && accStack > Math.max(accHgb, accLinear) + 0.1, `OOF accuracy: stack ${accStack}, hgb ${accHgb}, linear ${accLinear}`);

  const proba = await stack.predictProba(test.views);
  let worstSum = 0;
  for (let i = 0; i < proba.rows; i++) {
    const sum = proba.data[i * 3]! + proba.data[i * 3 + 1]! + proba.data[i * 3 + 2]!;
    worstSum = Math.max(worstSum, Math.abs(sum - 1));
  }
  check(worstSum < 1e-5, `probabilities sum to 1 within ${worstSum}`);
  const heldOut = accuracy(proba, test.labels);
  check(heldOut > 0.85, `held-out accuracy ${heldOut}`);

  const dir = await mkdtemp(join(tmpdir(), 'consumer-stack-'));
  try {
    await saveArtifact(dir, await stack.toArtifact());
    const reloaded = await loadModel(await readArtifact(dir));
    check(reloaded instanceof FittedStack, 'the reloaded model is a FittedStack');
    check(same(await (reloaded as FittedStack).predictProba(test.views), proba), 'reloaded predictions are byte-identical');

    const run = await saveAndReopenRun(dir, 'run-1', stack, train.classNames!, train.labels.length);
    check(run.formatVersion === RUN_FORMAT_VERSION && run.status === 'completed', `run folder: format ${run.formatVersion}, status ${run.status}`);
    check(run.listed === 1, `listRuns finds the run (found ${run.listed})`);
    check(run.model instanceof FittedStack, 'the model reloaded from the run folder is a FittedStack');
    check(same(await (run.model as FittedStack).predictProba(test.views), proba), 'predictions from the run folder are byte-identical');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const again = await spec.fit(train, { seed: 42 });
  check(same(again.oof!.z, oof.z) && same(again.oof!.meta, oof.meta), 'same seed gives byte-identical Z_oof and meta OOF');

  try {
    await stack.predictProba({ tabular: test.views.tabular, signal: matrix(300, 2) });
    check(false, 'a wrong view width is refused');
  } catch (error) {
    check(isPipelineError(error) && error.code === 'E_SCHEMA', `a wrong view width gives E_SCHEMA (got ${String(error)})`);
  }

  console.log(JSON.stringify({ oofAccuracy: { stack: accStack, hgb: accHgb, linear: accLinear }, heldOutAccuracy: heldOut, timings: { totalMs: Math.round(stack.timings!.totalMs) } }));
} finally {
  disposeWorkers();
}

if (failures.length > 0) {
  console.error(`consumer example: ${failures.length} check(s) failed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.error('consumer example: all checks passed');
