export {
  openH5,
  preloadH5,
  H5_READ_BLOCK_BYTES,
  H5_BATCH_BYTES,
  type H5File,
  type H5Dataset,
  type H5DatasetInfo,
  type H5Batch,
  type H5BatchOptions,
  type H5ReadOptions,
  type H5RawData,
  type ColumnRange,
  type OpenH5Options,
} from './h5.js';
export type { NumericArray } from './h5-dtype.js';
export {
  readCsv,
  iterCsvBatches,
  type ReadCsvOptions,
  type CsvTable,
  type CsvTable64,
  type CsvBatch,
  type CsvBatchOptions,
} from './read-csv.js';
export { readTypedCsv, type ReadTypedCsvOptions, type TypedCsvTable } from './read-typed-csv.js';
export { isNumericCell, type ColumnType } from './column-types.js';
export {
  CATEGORY_ENCODING_VERSION,
  emptyCategoryEncoding,
  parseCategoryEncoding,
  sortCategories,
  type CategoryEncoding,
  type CategoryTable,
} from './category-encoding.js';
export { DEFAULT_NA_VALUES } from './csv-scanner.js';
export { readLabels, type ReadLabelsOptions, type LabelTable } from './read-labels.js';
export {
  writeArrowTable,
  readArrowTable,
  type ArrowTableInput,
  type WriteArrowOptions,
  type ReadArrowOptions,
  type ArrowTable,
  type ArrowTable64,
} from './arrow-table.js';
export type { Matrix64 } from './matrix64.js';
export type { NumericTableInfo } from './numeric-table.js';
export {
  H5Writer,
  writeH5,
  type H5WriteEntry,
  type H5Array,
  type H5AttrValue,
  type H5DatasetWriteOptions,
  type H5AppendableOptions,
  type CreateH5WriterOptions,
} from './h5-writer.js';
export { writePredictionsCsv, type PredictionsInput, type WritePredictionsOptions } from './write-predictions.js';
export { formatFloat32, formatFloat64, csvField } from './format-number.js';
export {
  generateDemoData,
  DEMO_META_COLUMNS,
  DEMO_SUMMARY_COLUMNS,
  DEMO_CLASSES,
  DEMO_FEATURE_COLUMNS,
  type DemoDataOptions,
  type DemoDataResult,
  type DemoFile,
} from './demo-data.js';
export { synthesizeDemoSignal, DEMO_SFREQ, DEMO_SAMPLES, DEMO_CHANNELS, type DemoSignalParams } from './demo-signal.js';
export {
  inspectFile,
  type InspectResult,
  type InspectOptions,
  type InspectedKind,
  type InspectedColumn,
  type LabelDistribution,
} from './inspect-file.js';
