import {
  argmaxRows,
  checkArtifact,
  loadModel,
  PipelineError,
  registerLoader,
  type FitContext,
  type FittedClassifier,
  type Matrix,
  type ModelArtifact,
} from '@pipeline/core';
import type { FoldPlan, FoldRecord } from '@pipeline/model-selection';
import { probaByClass } from './class-columns.js';
import { buildStack, stackColumns, type StackLayout } from './stack-matrix.js';
import { checkViews, viewsOf, type StackInput } from './stacking-data.js';
import type { StackingArgs } from './stacking-options.js';

export const STACKING_KIND = 'stacking';
const FORMAT_VERSION = 1;

/** What the out-of-fold stage produced (kept on the fitted stack after `fit`, not in its artifact). */
export interface StackOof {
  /** Indices, into the rows given to `fit`, of the rows used (all of them unless undersampled), ascending. */
  readonly rows: Int32Array;
  readonly labels: Int32Array;
  /** The row weights every model was fitted with (sample weights × class weights), if any. */
  readonly sampleWeight?: Float64Array;
  /** The out-of-fold stacking matrix Z_oof (rows × columns) the meta-learner was fitted on. */
  readonly z: Matrix;
  readonly columns: readonly string[];
  /** Each base model's out-of-fold probabilities, rows × classes. */
  readonly base: Readonly<Record<string, Matrix>>;
  /** The meta-learner's own out-of-fold probabilities (an inner CV over Z_oof with the same folds). */
  readonly meta: Matrix;
  /** The splits, per-repeat fold of every row, splitter and seed. */
  readonly plan: FoldPlan;
}

/** Per-fold, per-model timings of a fit (milliseconds). */
export interface StackTimings {
  /** Base models' out-of-fold fits, model by model. */
  readonly folds: readonly FoldRecord[];
  /** The meta-learner's inner cross-validation over Z_oof. */
  readonly metaFolds: readonly FoldRecord[];
  /** The meta-learner's final fit on Z_oof. */
  readonly meta: FoldRecord;
  /** Base models' refits on all rows (empty unless `refit: 'full'`). */
  readonly refit: readonly FoldRecord[];
  /** Wall time of the whole fit. */
  readonly totalMs: number;
  /** Wall time outside every model's own fit and predict: splitting, copying rows, assembling Z, … */
  readonly overheadMs: number;
}

export interface FittedStackParts {
  readonly args: StackingArgs;
  readonly layout: StackLayout;
  /** Every view the stack reads and its width, in first-use order. */
  readonly inputs: readonly { readonly view: string; readonly cols: number }[];
  /** Final base models in the declared order (`model` absent when fitted with `refit: 'none'`). */
  readonly base: readonly { readonly name: string; readonly input: string; readonly model?: FittedClassifier }[];
  readonly meta: FittedClassifier;
  readonly oof?: StackOof;
  readonly timings?: StackTimings;
}

/**
 * A fitted stack: final base models, the meta-learner and the frozen layout of the stacking matrix.
 * `predictProba` takes one matrix per view (or a single matrix when the stack reads one view).
 */
export class FittedStack implements FittedClassifier {
  readonly kind = STACKING_KIND;
  readonly classes: readonly number[];
  /** Total width of the views read (see `inputs` for each view's width). */
  readonly nFeatures: number;
  readonly args: StackingArgs;
  readonly layout: StackLayout;
  readonly inputs: FittedStackParts['inputs'];
  readonly base: FittedStackParts['base'];
  readonly meta: FittedClassifier;
  /** Column names of the stacking matrix, in the frozen order. */
  readonly columns: readonly string[];
  readonly oof: StackOof | undefined;
  readonly timings: StackTimings | undefined;

  constructor(parts: FittedStackParts) {
    this.args = parts.args;
    this.layout = parts.layout;
    this.inputs = parts.inputs;
    this.base = parts.base;
    this.meta = parts.meta;
    this.oof = parts.oof;
    this.timings = parts.timings;
    this.classes = Array.from({ length: parts.layout.nClasses }, (_, c) => c);
    this.nFeatures = parts.inputs.reduce((sum, input) => sum + input.cols, 0);
    this.columns = stackColumns(parts.layout);
  }

  /** Names of the views the stack reads. */
  get views(): string[] {
    return this.inputs.map((input) => input.view);
  }

  /** Runs every final base model and builds the stacking matrix Z in the frozen column order. */
  async transform(input: StackInput, context?: FitContext): Promise<Matrix> {
    const views = viewsOf(input, this.views);
    checkViews(views, this.views);
    for (const { view, cols } of this.inputs) {
      if (views[view]!.cols !== cols) {
        throw new PipelineError('E_SCHEMA', `view '${view}' has ${views[view]!.cols} columns, but the stack was fitted on ${cols}`, {
          field: view,
          hint: 'predict with the same columns, in the same order, as at fit time',
        });
      }
    }
    const probas: Matrix[] = [];
    for (const { name, input: view, model } of this.base) {
      if (model === undefined) {
        throw new PipelineError('E_STATE', `the stack has no final model for '${name}': it was fitted with refit 'none'`, {
          field: 'refit',
          hint: "fit with refit 'full' or 'bagged' to predict",
        });
      }
      probas.push(probaByClass(await model.predictProba(views[view]!, context), model.classes, this.layout.nClasses, `base model '${name}'`));
    }
    return buildStack(
      this.layout,
      probas,
      this.layout.passthrough.map(({ view }) => views[view]!),
    );
  }

  async predictProba(input: StackInput, context?: FitContext): Promise<Matrix> {
    const z = await this.transform(input, context);
    if (z.cols !== this.meta.nFeatures) {
      throw new PipelineError('E_SCHEMA', `the stacking matrix has ${z.cols} columns but the meta-learner expects ${this.meta.nFeatures}`, {
        field: 'columns',
        hint: 'the base models or passthrough views differ from those the meta-learner was fitted with; refit the stack',
      });
    }
    return probaByClass(await this.meta.predictProba(z, context), this.meta.classes, this.layout.nClasses, 'meta-learner');
  }

  async predict(input: StackInput, context?: FitContext): Promise<Int32Array> {
    return argmaxRows(await this.predictProba(input, context));
  }

  async toArtifact(): Promise<ModelArtifact> {
    const children: Record<string, ModelArtifact> = { meta: await this.meta.toArtifact() };
    for (const { name, model } of this.base) if (model !== undefined) children[`base-${name}`] = await model.toArtifact();
    return {
      kind: STACKING_KIND,
      formatVersion: FORMAT_VERSION,
      args: this.args as unknown as Record<string, unknown>,
      state: {
        layout: this.layout,
        inputs: this.inputs,
        base: this.base.map(({ name, input, model }) => ({ name, input, kind: model?.kind ?? null })),
        columns: this.columns,
      },
      files: [],
      children,
    };
  }

  dispose(): void {
    for (const { model } of this.base) model?.dispose();
    this.meta.dispose();
  }
}

/** Rebuilds a fitted stack (and, through the registry, its base models and meta-learner). */
export async function loadStack(artifact: ModelArtifact): Promise<FittedStack> {
  checkArtifact(artifact, STACKING_KIND, [FORMAT_VERSION]);
  const state = artifact.state as {
    layout: StackLayout;
    inputs: FittedStackParts['inputs'];
    base: { name: string; input: string; kind: string | null }[];
  };
  const child = async (key: string): Promise<FittedClassifier> => {
    const entry = artifact.children?.[key];
    if (entry === undefined) {
      throw new PipelineError('E_INPUT', `stack artifact lacks its '${key}' model`, { field: `children/${key}`, hint: 're-save the model' });
    }
    return loadModel(entry);
  };
  const base: Array<FittedStackParts['base'][number]> = [];
  for (const { name, input, kind } of state.base) {
    base.push(kind === null ? { name, input } : { name, input, model: await child(`base-${name}`) });
  }
  return new FittedStack({
    args: artifact.args as unknown as StackingArgs,
    layout: state.layout,
    inputs: state.inputs,
    base,
    meta: await child('meta'),
  });
}

registerLoader(STACKING_KIND, loadStack);
