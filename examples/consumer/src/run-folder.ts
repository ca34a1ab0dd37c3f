/**
 * A run folder as a user's service keeps one: writes the fitted stack into a new folder owned by
 * `@pipeline/runs` (manifest + model artifact), marks it completed, then opens it again the way
 * `predict` does and reloads the model from it.
 */
import { join } from 'node:path';
import { loadModel, readArtifact, saveArtifact, type FittedClassifier } from '@pipeline/core';
import { RUN_FORMAT_VERSION, RunDirectory, listRuns } from '@pipeline/runs';

/** What came back from the reopened run folder. */
export interface ReopenedRun {
  readonly formatVersion: number;
  readonly status: string;
  readonly listed: number;
  readonly model: FittedClassifier;
}

/** Saves `model` as a completed run under `root`/`name` and reopens it. */
export async function saveAndReopenRun(root: string, name: string, model: FittedClassifier, classNames: readonly string[], nRows: number): Promise<ReopenedRun> {
  const run = await RunDirectory.create(join(root, name));
  const artifact = await model.toArtifact();
  await run.writeManifest({
    formatVersion: RUN_FORMAT_VERSION,
    status: 'running',
    createdAt: new Date().toISOString(),
    packages: { node: process.version },
    argv: [],
    seed: 42,
    inputs: [],
    nRows,
    classes: { names: classNames, counts: classNames.map(() => 0) },
    views: {},
    baseModels: [],
    meta: { kind: artifact.kind, args: {} },
    splitter: { kind: 'stratified-k-fold', args: {}, nSplits: 4, foldsFile: 'folds.json' },
    imbalance: { strategy: 'none' },
    refitFinal: true,
    timings: {},
    files: { model: 'models/stack' },
  });
  await saveArtifact(run.path('models/stack'), artifact);
  await run.setStatus('completed');

  const reopened = await RunDirectory.openCompleted(join(root, name), 'predict');
  const listed = (await listRuns(root)).length;
  const loaded = await loadModel(await readArtifact(reopened.path(reopened.manifest.files['model']!)));
  return { formatVersion: reopened.manifest.formatVersion, status: reopened.manifest.status, listed, model: loaded as FittedClassifier };
}
