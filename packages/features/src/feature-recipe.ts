import { PipelineError, matrix, type Matrix } from '@pipeline/core';
import { DwtComboPlan, dwtComboFeatureNames, dwtComboRecipe, validateDwtCombo, type DwtComboParams, type DwtComboRecipe } from './dwt-combo.js';

/**
 * A feature recipe: a versioned, JSON-serializable description of how to turn a row of raw data
 * into named features. Stored in the run manifest so predict time rebuilds exactly the same
 * features. Only `dwt-combo` version 1 exists so far.
 */
export type FeatureRecipe = DwtComboRecipe;

/** Names accepted by {@link createRecipe} (and the CLI's `--recipe`). */
export const RECIPE_NAMES = ['dwt-combo'] as const;
export type RecipeName = (typeof RECIPE_NAMES)[number];

/** A compiled recipe: names plus an allocation-free row featurizer (one per thread). */
export interface FeaturePlan {
  readonly recipe: FeatureRecipe;
  readonly names: readonly string[];
  /** Columns the input must have at least. */
  readonly inputColumns: number;
  /** Writes the features of every row of `input` into `out` from row `outRow` on. */
  computeRows(input: Matrix, out: Float32Array, outRow?: number): void;
}

/** A recipe by name with its defaults, overridden by `params`. */
export function createRecipe(name: string, params: Partial<DwtComboParams> = {}): FeatureRecipe {
  if (name === 'dwt-combo') return dwtComboRecipe(params);
  throw new PipelineError('E_USAGE', `unknown feature recipe '${name}'`, {
    field: 'recipe',
    hint: `use one of ${RECIPE_NAMES.join(', ')}`,
  });
}

/**
 * Checks a recipe read back from JSON (a run manifest): known name, a version this library
 * implements, and every parameter present and valid. Returns it typed; never fills defaults, so a
 * manifest always means exactly what it says.
 */
export function parseRecipe(value: unknown, source?: string): FeatureRecipe {
  const where = source === undefined ? {} : { file: source };
  if (typeof value !== 'object' || value === null) {
    throw new PipelineError('E_SCHEMA', 'a feature recipe must be an object { name, version, params }', { ...where, field: 'recipe' });
  }
  const { name, version, params } = value as { name?: unknown; version?: unknown; params?: unknown };
  if (name !== 'dwt-combo') {
    throw new PipelineError('E_SCHEMA', `unknown feature recipe ${JSON.stringify(name)}`, {
      ...where,
      field: 'recipe.name',
      hint: `this library implements ${RECIPE_NAMES.join(', ')}`,
    });
  }
  if (version !== 1) {
    throw new PipelineError('E_SCHEMA', `dwt-combo recipe version ${JSON.stringify(version)} is not implemented (this library has version 1)`, {
      ...where,
      field: 'recipe.version',
      hint: 'use the library version that wrote the run',
    });
  }
  if (typeof params !== 'object' || params === null) {
    throw new PipelineError('E_SCHEMA', 'recipe params must be an object', { ...where, field: 'recipe.params' });
  }
  const expected = Object.keys(dwtComboRecipe().params).sort();
  const actual = Object.keys(params).sort();
  const missing = expected.filter((k) => !actual.includes(k));
  const unknown = actual.filter((k) => !expected.includes(k));
  if (missing.length > 0 || unknown.length > 0) {
    throw new PipelineError(
      'E_SCHEMA',
      `dwt-combo params ${missing.length > 0 ? `miss ${missing.join(', ')}` : ''}${missing.length > 0 && unknown.length > 0 ? ' and ' : ''}${unknown.length > 0 ? `have unknown ${unknown.join(', ')}` : ''}`,
      { ...where, field: 'recipe.params' },
    );
  }
  const recipe = structuredClone(value) as DwtComboRecipe;
  try {
    validateDwtCombo(recipe);
  } catch (cause) {
    if (cause instanceof PipelineError) {
      throw new PipelineError('E_SCHEMA', cause.message, { ...where, field: `recipe.params.${cause.field ?? ''}`, cause });
    }
    throw cause;
  }
  return recipe;
}

/** Feature names of a recipe, in column order. */
export function featureNames(recipe: FeatureRecipe): string[] {
  return dwtComboFeatureNames(recipe);
}

/** Compiles a recipe into a reusable {@link FeaturePlan}. */
export function compileRecipe(recipe: FeatureRecipe): FeaturePlan {
  return new DwtComboPlan(recipe);
}

/** Features of every row of `features` (a float32 rows × names matrix). */
export function computeFeatures(recipe: FeatureRecipe, features: Matrix): Matrix {
  const plan = compileRecipe(recipe);
  const out = matrix(features.rows, plan.names.length);
  plan.computeRows(features, out.data, 0);
  return out;
}
