export type { Interval, Recording, ProbabilityRecording, NedcLabel, LabeledEvent, OverlapPolicy } from './types.js';
export { nedcTimeline, type TimelineOptions } from './nedc-timeline.js';
export type { NedcLabelScores, NedcResult } from './nedc-scores.js';
export { taes, type TaesOptions } from './taes.js';
export { ovlp, type NedcScorerOptions } from './ovlp.js';
export { epochScore, type EpochOptions } from './epoch-score.js';
export { dpAlign } from './dp-align.js';
export { ira, type IraResult } from './ira.js';
export {
  timescoringSample,
  timescoringEvent,
  type TimescoringScores,
  type TimescoringResult,
  type TimescoringSampleOptions,
  type TimescoringEventOptions,
} from './timescoring.js';
export {
  maskToRuns,
  runsToMask,
  runsToEvents,
  eventsToRuns,
  thresholdRuns,
  thresholdMask,
  maskToEvents,
  eventsToMask,
  type SampleRuns,
  type EventsToRunsOptions,
  type ThresholdOptions,
} from './sample-runs.js';
export {
  hysteresis,
  hysteresisRuns,
  hysteresisComponents,
  hysteresisComponentsRuns,
  type HysteresisOptions,
  type HysteresisComponentsOptions,
} from './hysteresis.js';
export {
  binaryOpening,
  binaryClosing,
  openRuns,
  closeRuns,
  erodeRuns,
  dilateRuns,
  type MorphologyBorder,
  type MorphologyOptions,
} from './morphology.js';
export { removeShortEvents, removeShortRuns, mergeEventGaps, splitLongEvents, type MergeGapOptions } from './event-filters.js';
export { postprocess, postprocessRuns, withThreshold, type PostprocessOptions, type Binarization } from './postprocess.js';
export { blockExtrema, type BlockExtrema } from './block-extrema.js';
export {
  faCurve,
  type FaCurveRow,
  type FaCurveOptions,
  type ThresholdPostprocess,
  type OperatingPointScorer,
} from './fa-curve.js';
export { sensitivityAtFa, type SensitivityAtFa, type SensitivityAtFaOptions } from './sensitivity-at-fa.js';
export { timelineAuroc } from './timeline-auroc.js';
export { parseCsvBi, formatCsvBi, type CsvBiAnnotation, type ParseCsvBiOptions } from './csv-bi.js';
