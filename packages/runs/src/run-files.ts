/** Relative paths of the files of a run folder (format 2; see RUN_FORMAT.md). */
export const RUN_FILES = {
  manifest: 'manifest.json',
  /** The resolved training config (JSON, a valid `--config` file). */
  config: 'config.json',
  /** Fold assignment of every used row. */
  folds: 'folds.json',
  /** Z_oof: every base model's out-of-fold probabilities, the meta-learner's input (Arrow IPC). */
  zOof: 'oof/z_oof.arrow',
  /** The stack's own out-of-fold probabilities, with labels, class names and folds in its metadata. */
  metaOof: 'oof/meta_oof.arrow',
  metricsDir: 'metrics/',
  /** `metrics/oof_<model>.json` per base model and `metrics/oof_stack.json`. */
  oofMetrics: (model: string) => `metrics/oof_${model}.json`,
  timings: 'metrics/timings.json',
  analysis: 'metrics/analyze_oof.json',
  undersample: 'balance/undersample_balanced.json',
  /** Category → code tables of the tabular view's categorical columns (`CategoryEncoding` of @pipeline/ingest). */
  encoding: 'encoding/table.json',
  /** The final stack's model artifact folder. */
  model: 'models/stack',
  checkpoints: 'checkpoints/',
  /** Test-set predictions stored by `predict --store-in-run <name>` (id + proba_<k>, class names in the metadata). */
  predictions: (name: string) => `predictions/${name}.arrow`,
  /** Hyper-parameter search (`train --optimize`): one JSON line per finished trial. */
  optTrials: 'opt/trials.jsonl',
  /** The best complete trial's params: `{ trial, params, patch }`. */
  optBestParams: 'opt/best_params.json',
  /** The best complete trial's score: `{ trial, score, foldScores, direction, metric }`. */
  optBestScore: 'opt/best_score.json',
  /** The search's settings: targets, space, sampler, pruner, metric, budgets, seed, trials. */
  optConfig: 'opt/config_used.json',
} as const;
