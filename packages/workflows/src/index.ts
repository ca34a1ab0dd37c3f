export {
  TRAIN_CONFIG_VERSION,
  trainConfigSchema,
  hgbArgsSchema,
  configDefaults,
  parseTrainConfig,
  checkConfig,
  configHash,
  baseModelName,
  formatPath,
  type TrainConfig,
  type TrainConfigInput,
  type BaseModelConfig,
  type ViewName,
} from './train-config.js';
export { readConfigValue, readTrainConfig, trainConfigToYaml } from './config-file.js';
export { trainConfigJsonSchema } from './json-schema.js';
export type { WorkflowContext } from './workflow-context.js';
export { trainRun, absoluteInputs, type TrainRunContext, type TrainRunResult } from './train-run.js';
export {
  optimizeRun,
  patchTrainConfig,
  metricDirection,
  OPTIMIZE_METRICS,
  DEFAULT_TRIAL_BUDGETS,
  type OptimizeMetric,
  type OptimizeOptions,
  type OptimizeConfigUsed,
  type OptimizeRunResult,
  type SearchFits,
  type TrialBudget,
} from './optimize-run.js';
export { predictRun, checkRunInputs, openCompletedRun, type PredictInputs, type PredictRunOptions, type PredictRunResult } from './predict-run.js';
export { evaluateRun, type EvaluateRunOptions, type EvaluateRunResult } from './evaluate-run.js';
export { analyzeRun, type AnalyzeRunOptions, type RunAnalysis } from './analyze-run.js';
export { renderHtmlReport, type ReportData } from './report/html-report.js';
export { scoreProba, scoreWithFolds, type Scores, type ScoreSummary } from './scores.js';
export { prepareDemo, demoFiles, DEMO_SEED } from './demo.js';
export { planBaseModels, baseModelSpec, estimatorFromTask, type PlannedBaseModel } from './estimators.js';
export { loadEstimator, LOADABLE_ESTIMATOR_KINDS } from './load-estimator.js';
export { localParallelExecutor, type LocalParallelExecutor, type LocalParallelExecutorOptions } from './executors/local-parallel-executor.js';
export { defaultExecutor, defaultPoolOptions, samePoolOptions, type DefaultExecutorOptions } from './executors/default-executor.js';
export { packageVersions } from './package-versions.js';
export { featurizeRun, type FeaturizeRunOptions, type FeaturizeRunResult } from './featurize-run.js';
export { seedStudy, baseRunConfig, SEED_STD_WARNING, type SeedStudyOptions, type SeedStudyResult } from './seed-study.js';
export { ablationStudy, readFeatureGroups, type AblationOptions, type AblationResult, type AblationRow } from './ablation-study.js';
export { recipeFeatureGroups, recipeAblationGroups, keptRecipeColumns, selectNamedColumns, RECIPE_STATISTICS, type RecipeGroupLevel } from './recipe-feature-groups.js';
export { STUDIES_DIR, writeStudy, listStudies, type StudyRecord } from './study-folder.js';
export { experimentsReport, pearson, type ExperimentsReport, type ExperimentsReportOptions } from './report/experiments-report.js';
export { gitState, type GitState } from './git-state.js';
export {
  cvBatchConfigSchema,
  parseCvBatchConfig,
  readCvBatchConfig,
  CV_BATCH_METHODS,
  type CvBatchConfig,
  type CvBatchConfigInput,
  type CvBatchMethod,
} from './cv-batch/cv-batch-config.js';
export {
  buildSubdbTable,
  indexImages,
  readPatientLabels,
  COMBINED_COLUMNS,
  type CombinedRow,
  type ImageEntry,
  type SubdbTable,
  type CvSubset,
} from './cv-batch/cv-batch-table.js';
export { foldMetrics, FOLD_METRICS, type FoldMetrics } from './cv-batch/fold-metrics.js';
export {
  cvBatch,
  bandSummaryFeatures,
  CV_BATCH_FORMAT_VERSION,
  type CvBatchOptions,
  type CvBatchResult,
  type CvBatchSubdbResult,
  type CvFoldResult,
  type CvSummary,
} from './cv-batch/cv-batch.js';
export { writeDemoBatch, type DemoBatchOptions, type DemoBatch } from './cv-batch/demo-batch.js';
