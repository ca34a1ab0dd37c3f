export {
  lstmClassifier,
  resolveLstmArgs,
  lstmDefinition,
  LSTM_KIND,
  LSTM_DEFAULTS,
  LSTM_FAST_PRESET,
  LSTM_SEED_PRESET,
  type LstmArgs,
  type LstmOptions,
} from './lstm-classifier.js';
export type { ClassWeightMode } from '@pipeline/tf';
