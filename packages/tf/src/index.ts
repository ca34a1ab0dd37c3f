export { tf } from './tf.js';
export {
  selectBackend,
  BACKEND_ORDER,
  BACKEND_ENV_VAR,
  type BackendName,
  type BackendSelection,
  type SelectBackendOptions,
} from './select-backend.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm-training-kernels.js';
export { lstmLastState } from './lstm-sequence.js';
