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
