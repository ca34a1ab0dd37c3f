export {
  openH5,
  H5_BLOCK_BYTES,
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
export {
  readCsv,
  iterCsvBatches,
  type ReadCsvOptions,
  type CsvTable,
  type CsvTable64,
  type CsvBatch,
  type CsvBatchOptions,
} from './read-csv.js';
export { readLabels, type ReadLabelsOptions, type LabelTable } from './read-labels.js';
export {
  writeArrowTable,
  readArrowTable,
  type ArrowTableInput,
  type WriteArrowOptions,
  type ReadArrowOptions,
  type ArrowTable,
  type ArrowTable64,
  type Matrix64,
} from './arrow-table.js';
