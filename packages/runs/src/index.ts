export {
  RUN_FORMAT_VERSION,
  OLDEST_RUN_FORMAT_VERSION,
  VOLATILE_MANIFEST_FIELDS,
  validateManifest,
  type RunManifest,
  type RunStatus,
  type InputFingerprint,
  type BaseModelEntry,
  type ViewEntry,
  type ImbalanceEntry,
} from './manifest.js';
export { RunDirectory, MANIFEST_FILE } from './run-directory.js';
export { RUN_FILES } from './run-files.js';
export { openRun, OpenedRun, type RunOof, type RunFoldPlan } from './open-run.js';
export { writeStackOutputs, type StackOutputs, type WrittenOutputs } from './write-stack-outputs.js';
export { saveTaskResult, loadTaskResult } from './checkpoint.js';
export { runTrialLog, readRunTrials } from './run-trial-log.js';
export { fileStamp, fingerprintFile, runName, type FileStamp } from './fingerprint.js';
export { listRuns, type RunSummary } from './list-runs.js';
export { differingRunFiles } from './differing-run-files.js';
export { TRACKING_FILE, readTracking, updateTracking, type RunTracking, type TrackingChanges, type StudyLink } from './tracking.js';
export {
  RUN_INDEX_FILE,
  PRIMARY_METRIC,
  RUN_METRICS,
  buildRunIndex,
  readRunEntry,
  seedGroupOf,
  canonicalJson,
  type RunIndexEntry,
  type MetricScore,
  type RunIndexOptions,
} from './run-index.js';
export { TRASH_DIR, findRun, loadRuns, trashRun, restoreRun } from './find-run.js';
export { parseRunFilter, runField, sortRuns, type RunFilter } from './run-filter.js';
export { flattenConfig, assertComparable, compareRuns, diffRuns, bestRun, type ParamRow, type MetricRow, type RunComparison, type RunDiff } from './compare-runs.js';
export { groupBySeed, seedStatistics, type SeedGroup } from './seed-groups.js';
export { runDeltas, deltasOfRun, type RunDeltas } from './run-deltas.js';
export { exportRunOof, exportRunTest, npyFloat32, type OofExportFormat } from './export-run-oof.js';
export { optimizationHistory, paramImportances, readRunSearch, type HistoryPoint, type ParamImportance, type RunSearch } from './run-search.js';
export { writeRunPredictions, readRunPredictions, listRunPredictions, type RunPredictions } from './run-predictions.js';
export { writeSyntheticRun, handConfig, type SyntheticScores } from './synthetic-run.js';
