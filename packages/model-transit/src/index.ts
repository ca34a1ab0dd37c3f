export {
  TRANSIT_CLASSES,
  TRANSIT_COLUMNS,
  TRANSIT_CURVE_COLUMNS,
  TRANSIT_FEATURE_COLUMNS,
  toTransitFeatures,
  toTransitRecords,
  parseCsvRows,
  readTransitCsv,
  formatTransitCsv,
  type TransitClass,
  type TransitFeatureColumn,
  type TransitFeatures,
  type TransitRecord,
  type LooseRow,
} from './transit-data.js';
export { transitCurve, validateCurveArgs, TRANSIT_CURVE_DEFAULTS, type TransitCurveArgs, type TransitShape } from './transit-curve.js';
export { generateKeplerDemo, writeKeplerDemoCsv, type KeplerDemoOptions } from './kepler-demo.js';
export { TRANSIT_CNN_DEFAULTS, resolveTransitCnnArgs, type TransitCnnArgs, type TransitCnnOptions } from './transit-cnn-args.js';
export {
  buildTransitNetwork,
  transitForward,
  transitLosses,
  LAYER,
  type TransitNetworkArgs,
  type TransitOutputs,
  type TransitForward,
  type TransitLosses,
  type DropoutMasks,
  type LossWeights,
} from './transit-network.js';
export {
  fitTransitStandardization,
  splitValidation,
  trainTransitNetwork,
  evaluateRows,
  optimizerLearningRate,
  TransitBatch,
  PLATEAU_MIN_DELTA,
  type TransitStandardization,
  type TransitEpochRecord,
  type TransitHistory,
  type TransitFitOptions,
} from './transit-training.js';
export {
  transitCnn,
  fitTransitCnn,
  loadTransitCnn,
  transitCnnFromArtifact,
  TransitCnnModel,
  TRANSIT_CNN_KIND,
  TRANSIT_CNN_FORMAT_VERSION,
  type TransitCnnSpec,
  type TransitPrediction,
} from './transit-cnn.js';
