import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PipelineError, silentLogger } from '@pipeline/core';
import { parseRecipe } from '@pipeline/features';
import { PRIMARY_METRIC, openRun, readRunEntry, runName, updateTracking } from '@pipeline/runs';
import { trainRun } from './train-run.js';
import type { TrainConfigInput } from './train-config.js';
import type { WorkflowContext } from './workflow-context.js';
import { baseRunConfig } from './seed-study.js';
import { writeStudy, type StudyRecord } from './study-folder.js';
import { recipeAblationGroups, recipeFeatureGroups, type RecipeGroupLevel } from './recipe-feature-groups.js';


export interface AblationOptions {
  /** A completed run with a tabular view (format 2); its config is the starting point. */
  readonly baseRun: string;
  /**
   * Feature groups: group name → column names of the base run's tabular view (children drop them
   * through `inputs.table.dropCols`). Give this or `recipeGroups`.
   */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  /**
   * Feature groups of the base run's wavelet recipe (a run with a dwt view): a level of
   * {@link recipeAblationGroups} (`coarse` = meta, each decomposition, windowed; `bands`; `stats`)
   * or a list of group names of {@link recipeFeatureGroups}. Children leave them out through
   * `features.dropGroups`. Give this or `groups`.
   */
  readonly recipeGroups?: RecipeGroupLevel | readonly string[];
  /** `leave-one-out` (drop each group from the base) and/or `additive` (each group added to the base set). */
  readonly modes?: readonly ('leave-one-out' | 'additive')[];
  readonly runsRoot?: string;
  readonly studyId?: string;
  readonly metric?: string;
}

/** One ablation child: what it changed and its CV delta. */
export interface AblationRow {
  readonly group: string;
  readonly mode: 'leave-one-out' | 'additive';
  readonly runId: string;
  readonly score: number;
  /**
   * leave-one-out: child − base run (negative = the group helps);
   * additive: child − base-set run (positive = the group helps).
   */
  readonly delta: number;
  readonly nFeatures: number;
}

export interface AblationResult {
  readonly id: string;
  readonly dir: string;
  readonly metric: string;
  readonly baseScore: number;
  /** Where the groups come from: the tabular view's columns or the dwt view's recipe. */
  readonly source: 'table' | 'recipe';
  /** Each group's columns (for recipe groups: computed from the recipe). */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** The additive runs' reference: the columns in no group (or the first group when every column is grouped). */
  readonly baseSet?: { readonly runId: string; readonly score: number; readonly columns: readonly string[] };
  readonly rows: readonly AblationRow[];
}

/** Reads a JSON file of feature groups (`{ "group": ["col", …], … }`) naming the file and group at fault. */
export async function readFeatureGroups(file: string): Promise<Record<string, string[]>> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new PipelineError('E_INPUT', 'the feature groups file is missing or not JSON', { file, field: '--groups', hint: 'write { "group name": ["column", …], … }', cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PipelineError('E_INPUT', 'the feature groups file must hold a JSON object of column lists', { file, field: '--groups', hint: 'write { "group name": ["column", …], … }' });
  }
  const out: Record<string, string[]> = {};
  for (const [name, columns] of Object.entries(value)) {
    if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string')) {
      throw new PipelineError('E_INPUT', `feature group '${name}' is not a non-empty list of column names`, { file, field: name, hint: 'write { "group name": ["column", …], … }' });
    }
    out[name] = columns as string[];
  }
  if (Object.keys(out).length === 0) throw new PipelineError('E_INPUT', 'the feature groups file names no group', { file, field: '--groups' });
  return out;
}

/**
 * Retrains the base run with each feature group removed (leave-one-out) and/or each group added to
 * a base set (additive), through `inputs.table.dropCols` (column groups of a tabular run) or
 * `features.dropGroups` (`recipeGroups`: groups of the wavelet recipe). Children are linked to the study in their
 * `tracking.json`; the table of deltas is stored in `<root>/.studies/<id>/study.json`.
 */
export async function ablationStudy(options: AblationOptions, context: WorkflowContext = {}): Promise<AblationResult> {
  const logger = context.logger ?? silentLogger;
  const cwd = context.cwd ?? process.cwd();
  const baseDir = resolve(cwd, options.baseRun);
  const config = await baseRunConfig(baseDir, 'run an ablation');
  const base = await openRun(baseDir);
  if ((options.groups === undefined) === (options.recipeGroups === undefined)) {
    throw new PipelineError('E_USAGE', 'an ablation takes either column groups or recipe groups', { field: '--groups', hint: 'pass a JSON file of column lists, or recipe / recipe:bands / recipe:stats' });
  }
  const recipeSpec = options.recipeGroups === undefined ? undefined : { recipe: options.recipeGroups };
  const inputs = config.inputs as { table?: { dropCols?: string[] } } | undefined;
  const features = (config.features ?? {}) as { dropGroups?: string[] };
  let viewColumns: readonly string[];
  let groups: Record<string, readonly string[]>;
  if (recipeSpec !== undefined) {
    const dwt = base.manifest.views.dwt;
    if (dwt?.recipe === undefined) {
      throw new PipelineError('E_USAGE', 'recipe-group ablation needs a base run with a wavelet (dwt) view', {
        file: base.path('manifest.json'),
        field: '--groups',
        hint: 'use a run trained with an HGB on view dwt (--hgb-fe), or a JSON file of column lists for a tabular run',
      });
    }
    const recipe = parseRecipe(dwt.recipe, base.path('manifest.json'));
    const all = recipeFeatureGroups(recipe);
    if (Array.isArray(recipeSpec.recipe)) {
      groups = {};
      for (const name of recipeSpec.recipe as readonly string[]) {
        const columns = all[name];
        if (columns === undefined) throw new PipelineError('E_USAGE', `'${name}' is not a feature group of the base run's wavelet recipe`, { field: '--groups', hint: `groups: ${Object.keys(all).join(', ')}` });
        groups[name] = columns;
      }
    } else {
      groups = recipeAblationGroups(recipe, recipeSpec.recipe as RecipeGroupLevel);
    }
    // Groups the base run already leaves out have nothing left to remove.
    const present = new Set(dwt.columns);
    groups = Object.fromEntries(Object.entries(groups).filter(([, cols]) => cols.some((c) => present.has(c))).map(([g, cols]) => [g, cols.filter((c) => present.has(c))]));
    viewColumns = dwt.columns;
  } else {
    const view = base.manifest.views.tabular;
    if (inputs?.table === undefined || view === undefined) {
      throw new PipelineError('E_USAGE', 'column-list ablation needs a base run with a tabular view (inputs.table)', {
        file: base.path('manifest.json'),
        field: '--groups',
        hint: 'use a run trained on a CSV feature table (--x-csv), or --groups recipe for a run on wavelet features',
      });
    }
    groups = options.groups as Record<string, readonly string[]>;
    const columns = new Set(view.columns);
    for (const [group, cols] of Object.entries(groups)) {
      const missing = cols.filter((c) => !columns.has(c));
      if (missing.length > 0) {
        throw new PipelineError('E_INPUT', `feature group '${group}' names columns the base run does not use: ${missing.join(', ')}`, {
          field: group,
          hint: `the base run's tabular columns are listed by \`pipeline runs show\`; ${view.columns.slice(0, 5).join(', ')}…`,
        });
      }
    }
    viewColumns = view.columns;
  }
  if (Object.keys(groups).length === 0) throw new PipelineError('E_USAGE', 'the ablation names no feature group', { field: '--groups' });
  const modes = options.modes ?? ['leave-one-out', 'additive'];
  const root = resolve(cwd, options.runsRoot ?? dirname(baseDir));
  const id = options.studyId ?? `ablation_${runName()}`;
  const metric = options.metric ?? PRIMARY_METRIC;
  const baseEntry = await readRunEntry(baseDir);
  const baseScore = baseEntry?.cv[metric]?.mean;
  if (baseEntry === undefined || baseScore === undefined) throw new PipelineError('E_STATE', `the base run has no ${metric} score`, { file: baseDir, field: '--metric' });
  const baseDrop = recipeSpec !== undefined ? (features.dropGroups ?? []) : (inputs!.table!.dropCols ?? []);
  /** The child config without the groups `dropNames` (and whatever the base run left out), keeping the groups `keepNames`. */
  const childConfig = (name: string, dropNames: readonly string[], keepNames: readonly string[]): Record<string, unknown> => {
    if (recipeSpec !== undefined) {
      const dropGroups = [...new Set([...baseDrop, ...dropNames])];
      const { dropGroups: _old, ...rest } = features;
      return { ...config, name, features: { ...rest, ...(dropGroups.length === 0 ? {} : { dropGroups }) } };
    }
    const keep = new Set(keepNames.flatMap((g) => groups[g]!));
    const drop = dropNames.flatMap((g) => groups[g]!).filter((c) => !keep.has(c));
    return { ...config, name, inputs: { ...(config.inputs as object), table: { ...inputs!.table, dropCols: [...new Set([...baseDrop, ...drop])] } } };
  };
  const train = async (childId: string, role: string, dropNames: readonly string[], keepNames: readonly string[] = []): Promise<{ score: number; nFeatures: number }> => {
    const dir = join(root, childId);
    logger.info(`ablation ${id}: ${role}`, { runDir: dir });
    const result = await trainRun(childConfig(`${id} ${role}`, dropNames, keepNames) as TrainConfigInput, { ...context, runDir: dir });
    await updateTracking(result.runDir, { study: { id, kind: 'ablation', role } });
    const entry = await readRunEntry(result.runDir);
    const score = entry?.cv[metric]?.mean;
    if (entry === undefined || score === undefined) throw new PipelineError('E_INTERNAL', `the child run has no ${metric} score`, { file: result.runDir });
    return { score, nFeatures: entry.nFeatures };
  };
  const rows: AblationRow[] = [];
  const names = Object.keys(groups);
  if (modes.includes('leave-one-out')) {
    for (const group of names) {
      const runId = `${id}_drop-${group}`;
      const { score, nFeatures } = await train(runId, `drop:${group}`, [group]);
      rows.push({ group, mode: 'leave-one-out', runId, score, delta: score - baseScore, nFeatures });
    }
  }
  let baseSet: AblationResult['baseSet'];
  if (modes.includes('additive')) {
    const grouped = new Set(names.flatMap((g) => groups[g]!));
    let setColumns = viewColumns.filter((c) => !grouped.has(c));
    let setGroups: string[] = [];
    let addable = names;
    if (setColumns.length === 0) {
      setGroups = [names[0]!];
      setColumns = [...groups[names[0]!]!];
      addable = names.slice(1);
    }
    const others = names.filter((g) => !setGroups.includes(g));
    const setId = `${id}_base-set`;
    const set = await train(setId, 'base-set', others, setGroups);
    baseSet = { runId: setId, score: set.score, columns: setColumns };
    for (const group of addable) {
      const runId = `${id}_add-${group}`;
      const { score, nFeatures } = await train(runId, `add:${group}`, others.filter((g) => g !== group), [...setGroups, group]);
      rows.push({ group, mode: 'additive', runId, score, delta: score - set.score, nFeatures });
    }
  }
  const record: StudyRecord = {
    id,
    kind: 'ablation',
    baseRun: baseDir,
    metric,
    createdAt: new Date().toISOString(),
    children: [...(baseSet === undefined ? [] : [{ id: baseSet.runId, role: 'base-set', score: baseSet.score }]), ...rows.map((r) => ({ id: r.runId, role: `${r.mode === 'additive' ? 'add' : 'drop'}:${r.group}`, score: r.score }))],
    baseScore,
    groups,
    source: recipeSpec !== undefined ? 'recipe' : 'table',
    rows,
    ...(baseSet === undefined ? {} : { baseSet }),
  };
  const dir = await writeStudy(root, record);
  return { id, dir, metric, baseScore, source: recipeSpec !== undefined ? 'recipe' : 'table', groups, ...(baseSet === undefined ? {} : { baseSet }), rows };
}
