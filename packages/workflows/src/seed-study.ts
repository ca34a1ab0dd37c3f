import { dirname, join, resolve } from 'node:path';
import { PipelineError, atomicWrite, silentLogger } from '@pipeline/core';
import { PRIMARY_METRIC, openRun, readRunEntry, runName, seedStatistics, updateTracking } from '@pipeline/runs';
import { formatFloat32, csvField } from '@pipeline/ingest';
import { trainRun } from './train-run.js';
import type { TrainConfigInput } from './train-config.js';
import type { WorkflowContext } from './workflow-context.js';
import { writeStudy, type StudyRecord } from './study-folder.js';

/** The seed-study std of the runs' CV means above which a warning is raised. */
export const SEED_STD_WARNING = 0.005;

export interface SeedStudyOptions {
  /** A completed run (format 2: it stores its config); retrained once per seed. */
  readonly baseRun: string;
  readonly seeds: readonly number[];
  /** Where the child runs go. Default: the base run's parent folder. */
  readonly runsRoot?: string;
  /** Study id (child folders are `<id>_seed-<n>`). Default `seed-study_<timestamp>`. */
  readonly studyId?: string;
  readonly metric?: string;
}

export interface SeedStudyResult {
  readonly id: string;
  readonly dir: string;
  readonly metric: string;
  readonly children: readonly { readonly id: string; readonly seed: number; readonly score: number }[];
  /** Mean of the runs' fold means, population std of them, range. */
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly range: number;
  /** Set when `std` > {@link SEED_STD_WARNING}. */
  readonly warning?: string;
  /** `oof_seed_avg.csv` in the study folder: the stack's OOF probabilities averaged over the seeds. */
  readonly oofFile: string;
  readonly oofRows: number;
}

/** The stored config of a completed run, or a clear error for runs that have none. */
export async function baseRunConfig(dir: string, purpose: string): Promise<Record<string, unknown>> {
  const run = (await openRun(dir)).requireCompleted(purpose);
  if (run.config === undefined) {
    throw new PipelineError('E_STATE', `cannot ${purpose}: the run stores no config (run format 1)`, {
      file: run.path('manifest.json'),
      field: 'config',
      hint: 'train it again with this version of @pipeline, then use the new run as the base',
    });
  }
  return { ...run.config };
}

/**
 * Retrains a run once per seed (same data, params and features), links every child to the study in
 * its `tracking.json`, and reports the spread of the CV fold means; the seed-averaged OOF of the
 * stack is stored in `<root>/.studies/<id>/oof_seed_avg.csv`.
 */
export async function seedStudy(options: SeedStudyOptions, context: WorkflowContext = {}): Promise<SeedStudyResult> {
  const logger = context.logger ?? silentLogger;
  const cwd = context.cwd ?? process.cwd();
  const baseDir = resolve(cwd, options.baseRun);
  if (options.seeds.length < 2) throw new PipelineError('E_USAGE', 'a seed study needs at least two seeds', { field: '--seeds' });
  if (new Set(options.seeds).size !== options.seeds.length) throw new PipelineError('E_USAGE', 'the seeds repeat', { field: '--seeds' });
  const config = await baseRunConfig(baseDir, 'run a seed study');
  const root = resolve(cwd, options.runsRoot ?? dirname(baseDir));
  const id = options.studyId ?? `seed-study_${runName()}`;
  const metric = options.metric ?? PRIMARY_METRIC;
  const children: { id: string; seed: number; score: number; dir: string }[] = [];
  for (const seed of options.seeds) {
    const childId = `${id}_seed-${seed}`;
    const dir = join(root, childId);
    logger.info(`seed study ${id}: training seed ${seed}`, { runDir: dir });
    const result = await trainRun({ ...(config as TrainConfigInput), seed, name: `${id} seed ${seed}` }, { ...context, runDir: dir });
    await updateTracking(result.runDir, { study: { id, kind: 'seed-study', role: `seed:${seed}` } });
    const entry = await readRunEntry(result.runDir);
    const score = entry?.cv[metric]?.mean;
    if (score === undefined) throw new PipelineError('E_INTERNAL', `the child run has no ${metric} score`, { file: result.runDir });
    children.push({ id: childId, seed, score, dir: result.runDir });
  }
  const stats = seedStatistics(children.map((c) => c.score));
  const warning =
    stats.std > SEED_STD_WARNING ? `the CV ${metric} moves with the seed: std of the seed means ${stats.std.toFixed(4)} > ${SEED_STD_WARNING}; compare runs by seed-averaged scores` : undefined;
  if (warning !== undefined) logger.warn(warning);
  // Seed-averaged OOF over the rows every child predicted (all rows unless undersampling drops some).
  const oofs = await Promise.all(children.map(async (c) => (await openRun(c.dir)).oof()));
  const first = oofs[0]!;
  const positions = oofs.map((o) => new Map(o.ids.map((rowId, i) => [rowId, i])));
  const shared = first.ids.filter((rowId) => positions.every((p) => p.has(rowId)));
  const k = first.classNames.length;
  const lines = [['id', 'label', ...first.classNames.map((c) => `proba_${c}`)].map((c) => csvField(c)).join(',')];
  for (const rowId of shared) {
    const sums = new Float64Array(k);
    for (const [j, o] of oofs.entries()) {
      const i = positions[j]!.get(rowId)!;
      for (let c = 0; c < k; c++) sums[c]! += o.stack.data[i * k + c]!;
    }
    const label = first.classNames[first.labels[positions[0]!.get(rowId)!]!]!;
    lines.push([csvField(rowId), csvField(label), ...Array.from(sums, (s) => formatFloat32(s / oofs.length))].join(','));
  }
  const record: StudyRecord = {
    id,
    kind: 'seed-study',
    baseRun: baseDir,
    metric,
    createdAt: new Date().toISOString(),
    children: children.map((c) => ({ id: c.id, role: `seed:${c.seed}`, score: c.score })),
    seeds: [...options.seeds],
    ...stats,
    range: stats.max - stats.min,
    ...(warning === undefined ? {} : { warning }),
    oofRows: shared.length,
  };
  const dir = await writeStudy(root, record);
  const oofFile = join(dir, 'oof_seed_avg.csv');
  await atomicWrite(oofFile, `${lines.join('\n')}\n`);
  return {
    id,
    dir,
    metric,
    children: children.map(({ dir: _d, ...rest }) => rest),
    ...stats,
    range: stats.max - stats.min,
    ...(warning === undefined ? {} : { warning }),
    oofFile,
    oofRows: shared.length,
  };
}
