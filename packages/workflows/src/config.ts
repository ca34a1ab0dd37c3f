/**
 * `@pipeline/workflows/config`: the training-config schema, its file reader and the search metrics,
 * without the models (no TensorFlow.js): for tools that validate or write configs, and for the CLI's
 * help text, which must not pay for loading every model.
 */
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
export { OPTIMIZE_METRICS, type OptimizeMetric } from './optimize-metrics.js';
