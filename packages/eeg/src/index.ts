export type { SeizureWindow, WindowSet } from './window-set.js';
export { parseEdfHeader, MAX_SIGNALS, type EdfHeader, type EdfSignalHeader, type EdfLayout } from './edf-header.js';
export { parseTals, encodeTal, formatTalSeconds, type EdfAnnotation, type RecordTals } from './tal.js';
export { EdfReader, bufferSource, type ByteSource, type EdfRecord, type ReadSignalOptions, type ReadSignalsOptions, MAX_READ_SAMPLES } from './edf-reader.js';
export { encodeEdf, writeEdf, formatEdfNumber, type EdfSpec, type EdfSignalSpec, type EdfAnnotationSpec } from './edf-writer.js';
export { resamplePoly, resampleTo, resampleFilter, rationalRatio, besselI0 } from './resample.js';
export { butterSos, notchSos, sosfilt, sosfiltZi, sosfiltfilt, type Sos, type ButterType } from './iir-filter.js';
export {
  parseEventsTsv,
  formatEventsTsv,
  readEventsTsv,
  writeEventsTsv,
  seizureEventRows,
  formatEventDateTime,
  isSeizureEventType,
  EVENTS_TSV_COLUMNS,
  type EventRow,
  type EventsFile,
} from './events-tsv.js';
export { TEN_TWENTY, SZCORE_CHANNELS, DOUBLE_BANANA, electrodeOf, matchTenTwenty, commonAverageReference, bipolar } from './montage.js';
export {
  preprocessEdf,
  standardize,
  montageChannels,
  resolvePreprocessOptions,
  DEFAULT_PREPROCESS,
  type PreprocessOptions,
  type PreprocessedRecording,
  type ResolvedPreprocessOptions,
} from './preprocess.js';
export { createWindowSet, type LabeledRecording, type WindowOptions } from './create-window-set.js';
export { splitRecordings, type SplitRecordingsOptions } from './split-recordings.js';
export { balancedBatchOrder } from './balanced-batch-order.js';
export {
  loadSeizureData,
  type SeizureData,
  type SeizureRecordingInfo,
  type LoadSeizureDataOptions,
  type WindowSetRequest,
} from './load-seizure-data.js';
export { generateSeizureDemo, type SeizureDemoOptions, type SeizureDemoRecording } from './generate-seizure-demo.js';
export { crc32c, maskedCrc32c } from './crc32c.js';
export {
  SummaryWriter,
  encodeEvent,
  tfRecord,
  scalarRecord,
  parseEventFile,
  readEventFile,
  type ScalarEvent,
  type SummaryWriterOptions,
} from './tensorboard.js';
export { inspectEdf, renderEdfInspection, type EdfInspection } from './inspect-edf.js';
export { readSeizureAnnotations, type SeizureAnnotations } from './read-seizure-annotations.js';
