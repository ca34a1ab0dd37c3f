import { PipelineError, selectColumns, type Matrix } from '@pipeline/core';
import { featureNames, type FeatureRecipe } from '@pipeline/features';

/** How finely {@link recipeFeatureGroups} splits a recipe's columns for an ablation. */
export type RecipeGroupLevel = 'coarse' | 'bands' | 'stats';

/** The statistic families of the dwt-combo recipe (see @pipeline/features' README). */
export const RECIPE_STATISTICS = ['mean', 'std', 'mav', 'logenergy', 'maxabs', 'relenergy', 'entropy'] as const;

/**
 * Every named feature group of a dwt-combo recipe, in the order of its columns:
 *
 * - `meta`: the meta columns passed through;
 * - `<wavelet>` (e.g. `haar`, `db4`): every column of that decomposition;
 * - `<wavelet>_<band>` (e.g. `db4_d3`, `haar_a6`): one band of a decomposition;
 * - `windowed`: every windowed log energy; `windowed_w<k>`: those of window k;
 * - `stat:<name>` (e.g. `stat:logenergy`): one statistic family over every decomposition and window.
 *
 * Groups overlap (a column is in its wavelet, band and statistic groups); groups with no column
 * (no meta kept, no windows) are left out. `features.dropGroups` of a training config names them.
 */
export function recipeFeatureGroups(recipe: FeatureRecipe): Record<string, string[]> {
  const names = featureNames(recipe);
  const p = recipe.params;
  const groups = new Map<string, string[]>();
  const add = (group: string, column: string) => {
    const list = groups.get(group);
    if (list === undefined) groups.set(group, [column]);
    else list.push(column);
  };
  const meta = new Set(p.metaNames.filter((name) => !p.dropMeta.includes(name)));
  const wavelets = p.decompositions.map((d) => d.wavelet);
  const windowed = p.windowed === null ? undefined : new RegExp(`^${escape(p.windowed.wavelet)}_w(\\d+)_([ad]\\d+)_(\\w+)$`);
  for (const column of names) {
    if (meta.has(column)) {
      add('meta', column);
      continue;
    }
    const inWindow = windowed?.exec(column);
    if (inWindow !== null && inWindow !== undefined) {
      add('windowed', column);
      add(`windowed_w${inWindow[1]}`, column);
      add(`stat:${inWindow[3]}`, column);
      continue;
    }
    const wavelet = wavelets.find((w) => column.startsWith(`${w}_`));
    const match = wavelet === undefined ? null : new RegExp(`^${escape(wavelet)}_([ad]\\d+)_(\\w+)$`).exec(column);
    if (wavelet === undefined || match === null) {
      throw new PipelineError('E_INTERNAL', `recipe column '${column}' belongs to no feature group`);
    }
    add(wavelet, column);
    add(`${wavelet}_${match[1]}`, column);
    add(`stat:${match[2]}`, column);
  }
  return Object.fromEntries(groups);
}

/**
 * The groups an ablation over a recipe takes out one at a time: `coarse` = meta, each decomposition,
 * windowed (what the issue names: meta, Haar bands, db4 bands, windowed energies); `bands` = each
 * band of each decomposition and each window; `stats` = each statistic family.
 */
export function recipeAblationGroups(recipe: FeatureRecipe, level: RecipeGroupLevel = 'coarse'): Record<string, string[]> {
  const all = recipeFeatureGroups(recipe);
  const wavelets = new Set<string>(recipe.params.decompositions.map((d) => d.wavelet));
  const pick = (name: string): boolean => {
    if (level === 'stats') return name.startsWith('stat:');
    if (level === 'coarse') return name === 'meta' || name === 'windowed' || wavelets.has(name);
    return name === 'meta' || /^windowed_w\d+$/.test(name) || (!name.startsWith('stat:') && name !== 'windowed' && !wavelets.has(name));
  };
  return Object.fromEntries(Object.entries(all).filter(([name]) => pick(name)));
}

/**
 * The recipe's columns without those of `dropGroups`, checked: an unknown group name, or dropping
 * every column, is an `E_USAGE` naming `field` and the groups there are.
 */
export function keptRecipeColumns(recipe: FeatureRecipe, dropGroups: readonly string[], field = 'features.dropGroups'): { columns: string[]; dropped: string[] } {
  const groups = recipeFeatureGroups(recipe);
  const drop = new Set<string>();
  dropGroups.forEach((group, k) => {
    const columns = groups[group];
    if (columns === undefined) {
      throw new PipelineError('E_USAGE', `'${group}' is not a feature group of the wavelet recipe`, {
        field: `${field}[${k}]`,
        hint: `groups: ${Object.keys(groups).join(', ')}`,
      });
    }
    for (const c of columns) drop.add(c);
  });
  const names = featureNames(recipe);
  const columns = names.filter((c) => !drop.has(c));
  if (columns.length === 0) throw new PipelineError('E_USAGE', 'features.dropGroups leaves no wavelet feature', { field, hint: 'keep at least one group' });
  return { columns, dropped: names.filter((c) => drop.has(c)) };
}

/** The columns `keep` (by name, in that order) of a matrix whose columns are `names`. */
export function selectNamedColumns(features: Matrix, names: readonly string[], keep: readonly string[], source: string): Matrix {
  if (keep.length === names.length && keep.every((c, k) => c === names[k])) return features;
  const index = new Map(names.map((n, k) => [n, k]));
  const at = keep.map((c) => {
    const k = index.get(c);
    if (k === undefined) {
      throw new PipelineError('E_SCHEMA', `column '${c}' is not built by the run's feature recipe`, { file: source, field: 'views.dwt.columns', hint: 'the run folder is damaged or was written by another recipe version: train it again' });
    }
    return k;
  });
  return selectColumns(features, at);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
