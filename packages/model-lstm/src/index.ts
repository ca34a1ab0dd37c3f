export {
  lstmClassifier,
  resolveLstmArgs,
  lstmDefinition,
  LSTM_KIND,
  LSTM_DEFAULTS,
  LSTM_FAST_PRESET,
  type LstmArgs,
  type LstmOptions,
} from './lstm-classifier.js';
