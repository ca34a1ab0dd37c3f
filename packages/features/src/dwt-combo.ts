import { PipelineError, type Matrix } from '@pipeline/core';
import { bandStatistics, type BandStatistics } from './band-statistics.js';
import { dwtMaxLevel } from './dwt-length.js';
import { EXTENSION_MODES, type ExtensionMode } from './extension-mode.js';
import { instantiateStatistics, type StatisticsKernel } from './wasm-statistics.js';
import { WAVELET_NAMES, getWavelet, type WaveletName } from './wavelet.js';
import { WavedecPlan } from './wavedec-plan.js';

/** One whole-signal decomposition of the recipe. */
export interface DwtComboDecomposition {
  readonly wavelet: WaveletName;
  readonly level: number;
}

/** Log energies of each band of a decomposition of each of `windows` equal consecutive windows. */
export interface DwtComboWindowed {
  readonly wavelet: WaveletName;
  readonly level: number;
  readonly windows: number;
}

/**
 * Parameters of the `dwt-combo` recipe (all plain JSON; every field is stored in the run manifest
 * so predict time rebuilds the same features).
 */
export interface DwtComboParams {
  /** First column of the meta block. */
  readonly metaStart: number;
  /** Names of the meta columns, in column order; their count is the meta block's width (may be 0). */
  readonly metaNames: readonly string[];
  /** Meta columns left out of the features (id-like or split columns such as `id`, `fold`, `subset`). */
  readonly dropMeta: readonly string[];
  /** Signal columns `[signalStart, signalEnd)`. */
  readonly signalStart: number;
  readonly signalEnd: number;
  /** Signal extension mode of every decomposition (pywt's default `symmetric`). */
  readonly mode: ExtensionMode;
  readonly decompositions: readonly DwtComboDecomposition[];
  /** Windowed log energies, or null for none. */
  readonly windowed: DwtComboWindowed | null;
  /**
   * Added to the energy before the logarithm, so an all-zero band gives ln(epsilon), not -Infinity;
   * also the energy at or below which a band counts as zero for its entropy (then 0).
   */
  readonly epsilon: number;
}

export interface DwtComboRecipe {
  readonly name: 'dwt-combo';
  readonly version: 1;
  readonly params: DwtComboParams;
}

/** Meta column count of the EEG challenge layout: `features[:, 0:11]`. */
const DEFAULT_META_COLUMNS = 11;

/**
 * The defaults: 11 meta columns at 0..10, signal at 11..1261 (5 s at 250 Hz); haar to level 6 and
 * db4 to level 5; db4 level 3 over 5 one-second windows; epsilon 1e-8. These are the decompositions
 * of the Python reference pipeline (`shared/bench/pipeline_reference.py`), whose 96 columns are a
 * subset of these 118 (it has no relenergy/entropy).
 */
export const DWT_COMBO_DEFAULTS: DwtComboParams = {
  metaStart: 0,
  metaNames: Array.from({ length: DEFAULT_META_COLUMNS }, (_, i) => `meta_${i}`),
  dropMeta: [],
  signalStart: DEFAULT_META_COLUMNS,
  signalEnd: DEFAULT_META_COLUMNS + 1250,
  mode: 'symmetric',
  decompositions: [
    { wavelet: 'haar', level: 6 },
    { wavelet: 'db4', level: 5 },
  ],
  windowed: { wavelet: 'db4', level: 3, windows: 5 },
  epsilon: 1e-8,
};

/** Values the statistics kernel writes per band. */
const STATS_FIELDS = 6;

/** Statistics of every band, in feature order. */
const BAND_STATS = ['mean', 'std', 'mav', 'logenergy', 'maxabs'] as const;
/** Extra statistics of the detail bands. */
const DETAIL_STATS = ['relenergy', 'entropy'] as const;

/**
 * The `dwt-combo` recipe ("11 meta + ~110 DWT combo" features: 107 by default): meta columns passed through, then
 * per decomposition and band (pywt order a<L>, d<L> … d1) mean, std, mav, logenergy, maxabs, plus
 * relenergy and entropy for detail bands; then windowed log energies. See the README for formulas.
 * `params` overrides the defaults; `metaNames` given without `signalStart` moves the signal to
 * right after the meta block.
 */
export function dwtComboRecipe(params: Partial<DwtComboParams> = {}): DwtComboRecipe {
  const metaNames = params.metaNames ?? DWT_COMBO_DEFAULTS.metaNames;
  const metaStart = params.metaStart ?? DWT_COMBO_DEFAULTS.metaStart;
  const signalStart = params.signalStart ?? metaStart + metaNames.length;
  const merged: DwtComboParams = {
    ...DWT_COMBO_DEFAULTS,
    signalStart,
    signalEnd: signalStart + (DWT_COMBO_DEFAULTS.signalEnd - DWT_COMBO_DEFAULTS.signalStart),
    ...params,
    metaNames: [...metaNames],
    dropMeta: [...(params.dropMeta ?? [])],
    decompositions: (params.decompositions ?? DWT_COMBO_DEFAULTS.decompositions).map((d) => ({ ...d })),
    windowed: params.windowed === undefined ? { ...DWT_COMBO_DEFAULTS.windowed! } : params.windowed && { ...params.windowed },
  };
  const recipe: DwtComboRecipe = { name: 'dwt-combo', version: 1, params: merged };
  validateDwtCombo(recipe);
  return recipe;
}

/** Checks every parameter; throws `E_USAGE` naming the field. */
export function validateDwtCombo(recipe: DwtComboRecipe): void {
  const p = recipe.params;
  const fail = (field: string, message: string, hint?: string): never => {
    throw new PipelineError('E_USAGE', `dwt-combo recipe: ${message}`, { field, ...(hint === undefined ? {} : { hint }) });
  };
  const integer = (field: string, value: unknown, minimum: number): void => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
      fail(field, `${field} must be an integer ≥ ${minimum}, got ${JSON.stringify(value)}`);
    }
  };
  integer('metaStart', p.metaStart, 0);
  integer('signalStart', p.signalStart, 0);
  integer('signalEnd', p.signalEnd, p.signalStart + 1);
  if (!Array.isArray(p.metaNames) || !p.metaNames.every((n) => typeof n === 'string' && n.length > 0)) {
    fail('metaNames', 'metaNames must be an array of non-empty strings');
  }
  if (new Set(p.metaNames).size !== p.metaNames.length) fail('metaNames', 'metaNames has duplicates');
  const metaEnd = p.metaStart + p.metaNames.length;
  if (p.metaNames.length > 0 && p.metaStart < p.signalEnd && p.signalStart < metaEnd) {
    fail('signalStart', `signal columns [${p.signalStart}, ${p.signalEnd}) overlap the meta columns [${p.metaStart}, ${metaEnd})`);
  }
  if (!Array.isArray(p.dropMeta)) fail('dropMeta', 'dropMeta must be an array of meta column names');
  for (const name of p.dropMeta) {
    if (!p.metaNames.includes(name)) {
      fail('dropMeta', `dropMeta names '${name}', which is not a meta column`, `meta columns: ${p.metaNames.join(', ')}`);
    }
  }
  if (!(EXTENSION_MODES as readonly string[]).includes(p.mode)) {
    fail('mode', `unknown mode '${String(p.mode)}'`, `use one of ${EXTENSION_MODES.join(', ')}`);
  }
  if (!(typeof p.epsilon === 'number' && p.epsilon > 0 && Number.isFinite(p.epsilon))) {
    fail('epsilon', `epsilon must be a positive number, got ${JSON.stringify(p.epsilon)}`);
  }
  const n = p.signalEnd - p.signalStart;
  const checkLevel = (field: string, wavelet: unknown, level: unknown, length: number): void => {
    if (!(WAVELET_NAMES as readonly unknown[]).includes(wavelet)) {
      fail(field, `unknown wavelet ${JSON.stringify(wavelet)}`, `use one of ${WAVELET_NAMES.join(', ')}`);
    }
    integer(`${field}.level`, level, 1);
    const max = dwtMaxLevel(length, getWavelet(wavelet as WaveletName).length);
    if ((level as number) > max) {
      fail(`${field}.level`, `level ${String(level)} is above the maximum ${max} for ${String(wavelet)} on ${length} samples`, `use a level ≤ ${max}`);
    }
  };
  if (!Array.isArray(p.decompositions)) fail('decompositions', 'decompositions must be an array');
  const seen = new Set<string>();
  p.decompositions.forEach((d, i) => {
    checkLevel(`decompositions[${i}]`, d.wavelet, d.level, n);
    if (seen.has(d.wavelet)) fail(`decompositions[${i}]`, `wavelet ${d.wavelet} appears twice (feature names would collide)`);
    seen.add(d.wavelet);
  });
  if (p.windowed !== null) {
    integer('windowed.windows', p.windowed.windows, 1);
    checkLevel('windowed', p.windowed.wavelet, p.windowed.level, Math.floor(n / p.windowed.windows));
  }
}

/** Band labels in pywt order: a<L>, d<L>, …, d1. */
function bandLabels(level: number): string[] {
  const labels = [`a${level}`];
  for (let l = level; l >= 1; l--) labels.push(`d${l}`);
  return labels;
}

/** The feature names of a dwt-combo recipe, in column order. */
export function dwtComboFeatureNames(recipe: DwtComboRecipe): string[] {
  const p = recipe.params;
  const names = p.metaNames.filter((name) => !p.dropMeta.includes(name));
  for (const { wavelet, level } of p.decompositions) {
    for (const band of bandLabels(level)) {
      for (const stat of BAND_STATS) names.push(`${wavelet}_${band}_${stat}`);
      if (band.startsWith('d')) for (const stat of DETAIL_STATS) names.push(`${wavelet}_${band}_${stat}`);
    }
  }
  if (p.windowed !== null) {
    const { wavelet, level, windows } = p.windowed;
    for (let w = 0; w < windows; w++) {
      for (const band of bandLabels(level)) names.push(`${wavelet}_w${w}_${band}_logenergy`);
    }
  }
  return names;
}

/**
 * A compiled dwt-combo recipe: decomposition plans and scratch buffers are built once, so
 * featurizing a row allocates nothing. Not thread-safe (one per thread).
 */
export class DwtComboPlan {
  readonly recipe: DwtComboRecipe;
  readonly names: readonly string[];
  /** Columns the input must have at least. */
  readonly inputColumns: number;
  private readonly metaColumns: readonly number[];
  private readonly decompositions: Array<{ plan: WavedecPlan; bands: Float64Array[] }>;
  private readonly windows: Array<{ start: number; plan: WavedecPlan; bands: Float64Array[] }>;
  /** Statistics of each band of the current decomposition (as many as the deepest one has bands). */
  private readonly stats: BandStatistics[];
  /** The WebAssembly statistics (same bits as `bandStatistics`), or undefined where there is none. */
  private readonly kernel: StatisticsKernel | null;
  /** Where the kernel writes the statistics of one band: mean, std, mav, energy, maxAbs, entropy. */
  private readonly statsOut: Float64Array;

  constructor(recipe: DwtComboRecipe) {
    validateDwtCombo(recipe);
    const p = recipe.params;
    this.recipe = recipe;
    this.names = dwtComboFeatureNames(recipe);
    this.metaColumns = p.metaNames.flatMap((name, i) => (p.dropMeta.includes(name) ? [] : [p.metaStart + i]));
    this.inputColumns = Math.max(p.signalEnd, p.metaStart + p.metaNames.length);
    const n = p.signalEnd - p.signalStart;
    const decompositions = p.decompositions.map(({ wavelet, level }) => new WavedecPlan(n, getWavelet(wavelet), p.mode, level));
    const windows: Array<{ start: number; plan: WavedecPlan }> = [];
    if (p.windowed !== null) {
      const { wavelet, level, windows: count } = p.windowed;
      const plans = new Map<number, WavedecPlan>();
      for (let w = 0; w < count; w++) {
        const start = Math.floor((w * n) / count);
        const length = Math.floor(((w + 1) * n) / count) - start;
        let plan = plans.get(length);
        if (plan === undefined) {
          plan = new WavedecPlan(length, getWavelet(wavelet), p.mode, level);
          plans.set(length, plan);
        }
        windows.push({ start, plan });
      }
    }
    // Every band lives in the memory of the statistics kernel (WebAssembly) when there is one, so the
    // statistics read the bands where the decomposition wrote them; else in plain arrays.
    const bandValues = [...decompositions, ...windows.map((w) => w.plan)].reduce((sum, plan) => sum + plan.lengths.reduce((a, b) => a + b, 0), 0);
    const statsBytes = 8 * STATS_FIELDS;
    this.kernel = instantiateStatistics(statsBytes + 8 * bandValues);
    let offset = statsBytes;
    const kernelMemory = this.kernel?.memory.buffer;
    const scratch = (plan: WavedecPlan): Float64Array[] =>
      plan.lengths.map((length) => {
        const band = kernelMemory === undefined ? new Float64Array(length) : new Float64Array(kernelMemory, offset, length);
        offset += 8 * length;
        return band;
      });
    this.decompositions = decompositions.map((plan) => ({ plan, bands: scratch(plan) }));
    this.windows = windows.map(({ start, plan }) => ({ start, plan, bands: scratch(plan) }));
    this.statsOut = kernelMemory === undefined ? new Float64Array(STATS_FIELDS) : new Float64Array(kernelMemory, 0, STATS_FIELDS);
    this.stats = Array.from({ length: Math.max(1, ...p.decompositions.map((d) => d.level + 1)) }, () => ({
      mean: 0,
      std: 0,
      mav: 0,
      energy: 0,
      maxAbs: 0,
      entropy: 0,
    }));
  }

  /** Featurizes every row of `input` into `out` starting at row `outRow` (row-major, `names.length` wide). */
  computeRows(input: Matrix, out: Float32Array, outRow = 0): void {
    if (input.cols < this.inputColumns) {
      throw new PipelineError('E_SCHEMA', `dwt-combo needs at least ${this.inputColumns} columns, the input has ${input.cols}`, {
        field: 'features',
        hint: 'check the recipe offsets (metaStart, signalStart, signalEnd) against the data layout',
      });
    }
    const width = this.names.length;
    if (out.length < (outRow + input.rows) * width) {
      throw new PipelineError('E_INTERNAL', `feature output holds ${out.length} values, needs ${(outRow + input.rows) * width}`);
    }
    for (let r = 0; r < input.rows; r++) this.computeRow(input.data, r * input.cols, out, (outRow + r) * width);
  }

  private computeRow(data: Float32Array, rowOffset: number, out: Float32Array, o: number): void {
    const p = this.recipe.params;
    const meta = this.metaColumns;
    for (let m = 0; m < meta.length; m++) out[o++] = data[rowOffset + meta[m]!]!;
    const signal = rowOffset + p.signalStart;
    const decompositions = this.decompositions;
    for (let d = 0; d < decompositions.length; d++) {
      const { plan, bands } = decompositions[d]!;
      plan.run(data, signal, bands, 0);
      o = this.bandFeatures(bands, out, o);
    }
    const windows = this.windows;
    for (let w = 0; w < windows.length; w++) {
      const { start, plan, bands } = windows[w]!;
      plan.run(data, signal + start, bands, 0);
      o = this.logEnergies(bands, out, o);
    }
  }

  /** mean, std, mav, logenergy, maxabs (+ relenergy, entropy of detail bands) of every band; returns the next output index. */
  private bandFeatures(bands: readonly Float64Array[], out: Float32Array, o: number): number {
    const { stats, kernel, statsOut } = this;
    const epsilon = this.recipe.params.epsilon;
    let total = 0;
    for (let b = 0; b < bands.length; b++) {
      const band = bands[b]!;
      const s = stats[b]!;
      if (kernel === null) {
        bandStatistics(band, 0, band.length, s, b > 0, epsilon);
      } else {
        kernel.stats(band.byteOffset, band.length, b > 0 ? 1 : 0, epsilon, 0);
        s.mean = statsOut[0]!;
        s.std = statsOut[1]!;
        s.mav = statsOut[2]!;
        s.energy = statsOut[3]!;
        s.maxAbs = statsOut[4]!;
        s.entropy = statsOut[5]!;
      }
      total += s.energy;
    }
    for (let b = 0; b < bands.length; b++) {
      const s = stats[b]!;
      out[o++] = s.mean;
      out[o++] = s.std;
      out[o++] = s.mav;
      out[o++] = Math.log(s.energy + epsilon);
      out[o++] = s.maxAbs;
      if (b > 0) {
        out[o++] = total > 0 ? s.energy / total : 0;
        out[o++] = s.entropy;
      }
    }
    return o;
  }

  /** ln(Σ c² + epsilon) of every band; returns the next output index. */
  private logEnergies(bands: readonly Float64Array[], out: Float32Array, o: number): number {
    const { kernel } = this;
    const epsilon = this.recipe.params.epsilon;
    for (let b = 0; b < bands.length; b++) {
      const band = bands[b]!;
      let e = 0;
      if (kernel === null) {
        for (let i = 0; i < band.length; i++) e += band[i]! * band[i]!;
      } else {
        e = kernel.energy(band.byteOffset, band.length);
      }
      out[o++] = Math.log(e + epsilon);
    }
    return o;
  }
}
