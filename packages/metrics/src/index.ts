export { accuracy, balancedAccuracy, type BalancedAccuracyOptions } from './accuracy.js';
export {
  precisionScore,
  recallScore,
  f1Score,
  fbetaScore,
  precisionRecallFscoreSupport,
  type Average,
  type PrecisionRecallOptions,
  type FbetaOptions,
  type PrecisionRecallFscoreSupport,
} from './precision-recall-fscore.js';
export { confusionMatrix, normalizeConfusion, type ConfusionMatrixOptions } from './confusion-matrix.js';
export { perClassErrorRate } from './per-class-error-rate.js';
export { cohenKappa, type CohenKappaOptions } from './cohen-kappa.js';
export { matthewsCorrcoef } from './matthews-corrcoef.js';
export { logLoss, type LogLossOptions } from './log-loss.js';
export { rocAuc, rocCurve, type RocAucOptions, type RocCurve } from './roc-auc.js';
export { averagePrecision, type AveragePrecisionOptions } from './average-precision.js';
export {
  classificationReport,
  formatClassificationReport,
  type ClassificationReport,
  type ClassificationReportOptions,
  type ReportClassRow,
  type ReportScores,
} from './classification-report.js';
export { formatFixed } from './python-round.js';
export { summarizeFolds, formatMeanStd, type FoldSummary } from './summarize-folds.js';
export type { LabelArray, LabelsOption } from './labels.js';
export type { ScoreMatrix } from './score-matrix.js';
