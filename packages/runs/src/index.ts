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
export { fingerprintFile, runName } from './fingerprint.js';
export { listRuns, type RunSummary } from './list-runs.js';
export { differingRunFiles } from './differing-run-files.js';
