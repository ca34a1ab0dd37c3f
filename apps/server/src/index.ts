export {
  registerModelKind,
  unregisterModelKind,
  getModelKind,
  modelKindNames,
  type BuiltinModelKindName,
  type DatasetKind,
  type ModelKind,
  type TrainJob,
  type TrainContext,
  type TrainProgress,
  type TrainResult,
  type PredictRow,
  type PredictResult,
} from './model-kinds.js';
export { builtinModelKinds, registerBuiltinModelKinds } from './kinds/index.js';
