export {
  RUN_FORMAT_VERSION,
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
export { saveTaskResult, loadTaskResult } from './checkpoint.js';
export { fingerprintFile, runName } from './fingerprint.js';
export { listRuns, type RunSummary } from './list-runs.js';
