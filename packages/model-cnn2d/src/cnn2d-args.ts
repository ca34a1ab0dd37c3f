import { PipelineError } from '@pipeline/core';

/** Registry key of the 2D CNN's artifacts. */
export const CNN2D_KIND = 'cnn2d';

/** Arguments of the 2D CNN (plain JSON, logged in manifests). */
export interface Cnn2dArgs {
  /** Image height in pixels (rows of a feature row, top first). */
  readonly height: number;
  /** Image width in pixels; a feature row holds `height × width` grey values, row-major. */
  readonly width: number;
  /** Training epochs (an upper bound with early stopping). */
  readonly epochs: number;
  /** Training batch size. */
  readonly batchSize: number;
  /** Adam learning rate. */
  readonly learningRate: number;
  /** Filters of the 3×3 stem convolution (followed by 2×2 max pooling). */
  readonly stemFilters: number;
  /** Number of Inception-style blocks (2×2 max pooling between blocks). */
  readonly blocks: number;
  /** Filters of each of the four branches of a block (the block outputs 4× this many channels). */
  readonly branchFilters: number;
  /** Early-stopping patience in epochs on the validation loss; 0 = off (train all epochs). */
  readonly patience: number;
  /**
   * Fraction of the rows `fit` holds out (seeded) as the validation set when none is given; 0 = none.
   * `fitCnn2d` with an explicit validation set ignores it.
   */
  readonly validationFraction: number;
  /** Rows per prediction batch. */
  readonly predictBatchSize: number;
  /** Log every epoch at `info` instead of `debug`. */
  readonly verbose: boolean;
}

/** Defaults: a small network for small spectrogram images (32×32 … 128×128). */
export const CNN2D_DEFAULTS: Readonly<Omit<Cnn2dArgs, 'height' | 'width'>> = Object.freeze({
  epochs: 20,
  batchSize: 32,
  learningRate: 1e-3,
  stemFilters: 8,
  blocks: 2,
  branchFilters: 4,
  patience: 3,
  validationFraction: 0,
  predictBatchSize: 256,
  verbose: false,
});

/** Arguments as callers pass them: `height` and `width` are required, the rest default; `undefined` = not given. */
export type Cnn2dOptions = { readonly height: number; readonly width: number } & {
  readonly [K in Exclude<keyof Cnn2dArgs, 'height' | 'width'>]?: Cnn2dArgs[K] | undefined;
};

/** Resolves arguments over {@link CNN2D_DEFAULTS} and checks them (`E_USAGE` naming the field). */
export function resolveCnn2dArgs(options: Cnn2dOptions): Cnn2dArgs {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<Cnn2dArgs>;
  const args = { ...CNN2D_DEFAULTS, ...defined } as Cnn2dArgs;
  const check = (ok: boolean, field: keyof Cnn2dArgs, what: string) => {
    if (!ok) throw new PipelineError('E_USAGE', `${CNN2D_KIND}: ${field} must be ${what}, got ${JSON.stringify(args[field])}`, { field });
  };
  for (const field of ['height', 'width', 'epochs', 'batchSize', 'stemFilters', 'blocks', 'branchFilters', 'predictBatchSize'] as const) {
    check(Number.isInteger(args[field]) && args[field] >= 1, field, 'a positive integer');
  }
  check(Number.isInteger(args.patience) && args.patience >= 0, 'patience', 'an integer ≥ 0 (0 = off)');
  check(args.learningRate > 0 && Number.isFinite(args.learningRate), 'learningRate', 'a positive number');
  check(args.validationFraction >= 0 && args.validationFraction < 1, 'validationFraction', 'in [0, 1)');
  // every 2×2 pooling halves the image: stem + (blocks − 1) poolings must leave at least 1×1.
  const poolings = args.blocks;
  check(Math.min(args.height, args.width) >> poolings >= 1, 'blocks', `at most log2(min(height, width)) = ${Math.floor(Math.log2(Math.min(args.height, args.width)))}`);
  return args;
}
