export {
  cnnClassifier,
  resolveCnnArgs,
  cnnDefinition,
  CNN_KIND,
  CNN_DEFAULTS,
  CNN_SEED_PRESET,
  type CnnArgs,
  type CnnOptions,
} from './cnn-classifier.js';
export { withBalancedClassWeights, type ClassWeightMode } from '@pipeline/tf';
