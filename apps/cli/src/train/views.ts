import { PipelineError, type Logger, type Matrix, type ProgressCallback } from '@pipeline/core';
import { openH5 } from '@pipeline/ingest';
import { dwtComboRecipe, featureNames, featurizeH5, type FeatureRecipe } from '@pipeline/features';
import type { ViewEntry } from '@pipeline/runs';
import { H5_META_COLUMNS, type SignalInput } from './data.js';

/** Meta columns that identify or split rows; never features. */
export const ID_LIKE_META = ['id', 'fold', 'subset'];

/** The names of the H5's meta columns: its `meta_columns` attribute when present, else meta_0..meta_10. */
export async function metaNames(file: string, logger: Logger): Promise<string[]> {
  const h5 = await openH5(file, { logger });
  try {
    const attrs = h5.attrs();
    const names = attrs.meta_columns;
    if (Array.isArray(names) && names.length === H5_META_COLUMNS && names.every((n) => typeof n === 'string')) return names as string[];
  } finally {
    h5.close();
  }
  return Array.from({ length: H5_META_COLUMNS }, (_, i) => `meta_${i}`);
}

/** The dwt-combo recipe for the H5 layout: meta passed through (minus id-like and split columns). */
export function recipeFor(signal: SignalInput, names: readonly string[], exclude: readonly string[]): FeatureRecipe {
  const drop = names.filter((name) => ID_LIKE_META.includes(name) || exclude.includes(name));
  return dwtComboRecipe({
    metaStart: 0,
    metaNames: [...names],
    dropMeta: drop,
    signalStart: signal.signalStart,
    signalEnd: signal.signalStart + signal.signalLength,
  });
}

/** Builds the `dwt` view from the H5 (streamed, multi-threaded). */
export async function buildDwtView(
  signal: SignalInput,
  recipe: FeatureRecipe,
  options: { chunkSize: number; signal: AbortSignal; logger: Logger; onProgress: ProgressCallback },
): Promise<{ matrix: Matrix; columns: string[]; entry: ViewEntry }> {
  const result = await featurizeH5(signal.file, {
    datasetKey: signal.datasetKey,
    recipe,
    batchRows: options.chunkSize,
    signal: options.signal,
    logger: options.logger,
    onProgress: options.onProgress,
  });
  if (result.features.rows !== signal.rows) {
    throw new PipelineError('E_INTERNAL', `featurization returned ${result.features.rows} rows for ${signal.rows}`);
  }
  const columns = featureNames(recipe);
  return {
    matrix: result.features,
    columns,
    entry: { source: 'x-h5', columns, recipe: recipe as unknown as Record<string, unknown> },
  };
}
