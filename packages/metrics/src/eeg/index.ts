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
