import { PipelineError, type Matrix } from '@pipeline/core';
import type { BatchSource } from './batch-source.js';

/**
 * How a row of a feature matrix holds a multichannel signal: `channels` values per time step,
 * time-major (`[t0c0, t0c1, …, t1c0, …]`, which is also tfjs's [time, channels] layout), and the
 * decimation applied before the model (`downsample` = k keeps steps 0, k, 2k, …, like `x[:, ::k]`).
 */
export interface SignalLayout {
  readonly channels: number;
  readonly downsample: number;
}

/** Per-channel mean and standard deviation (population, as scikit-learn's StandardScaler). */
export interface Standardization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Number of model time steps for rows of `cols` values. */
export function signalSteps(cols: number, layout: SignalLayout): number {
  return Math.ceil(cols / layout.channels / layout.downsample);
}

/** Checks that a matrix width fits the layout; returns the number of raw time steps. */
export function checkSignalWidth(features: Matrix, layout: SignalLayout, source = 'features'): number {
  if (!Number.isInteger(layout.channels) || layout.channels < 1) {
    throw new PipelineError('E_USAGE', `channels must be a positive integer, got ${layout.channels}`, { field: 'channels' });
  }
  if (!Number.isInteger(layout.downsample) || layout.downsample < 1) {
    throw new PipelineError('E_USAGE', `downsample must be a positive integer, got ${layout.downsample}`, {
      field: 'downsample',
      hint: 'use 1 for no downsampling',
    });
  }
  if (features.cols === 0 || features.cols % layout.channels !== 0) {
    throw new PipelineError('E_INPUT', `a signal row has ${features.cols} values, not a positive multiple of ${layout.channels} channels`, {
      file: source,
      field: 'features',
      hint: 'pass the raw signal columns only (rows × time·channels)',
    });
  }
  return features.cols / layout.channels;
}

/**
 * Fits per-channel standardization on the given rows (the training fold only) over the downsampled
 * steps the model sees. Non-finite values are refused with the row named. A constant channel gets
 * std 1.
 */
export function fitStandardization(features: Matrix, rows: ArrayLike<number>, layout: SignalLayout, source = 'features'): Standardization {
  const rawSteps = checkSignalWidth(features, layout, source);
  const { channels, downsample } = layout;
  const sum = new Float64Array(channels);
  const sumSquares = new Float64Array(channels);
  let count = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    const base = i * features.cols;
    for (let t = 0; t < rawSteps; t += downsample) {
      for (let c = 0; c < channels; c++) {
        const v = features.data[base + t * channels + c]!;
        if (!Number.isFinite(v)) throw nonFinite(i, t * channels + c, source);
        sum[c] = sum[c]! + v;
        sumSquares[c] = sumSquares[c]! + v * v;
      }
    }
    count += Math.ceil(rawSteps / downsample);
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    const m = count === 0 ? 0 : sum[c]! / count;
    const variance = count === 0 ? 0 : Math.max(0, sumSquares[c]! / count - m * m);
    mean.push(m);
    std.push(variance > 1e-12 ? Math.sqrt(variance) : 1);
  }
  return { mean, std };
}

/**
 * The rows of a signal matrix as a {@link BatchSource} of [steps, channels] examples, downsampled and
 * standardized while a batch is copied (the matrix is never copied as a whole). `rows` selects and
 * orders the rows (default: all).
 */
export function signalSource(
  features: Matrix,
  layout: SignalLayout,
  standardization: Standardization,
  rows?: ArrayLike<number>,
  source = 'features',
): BatchSource {
  const rawSteps = checkSignalWidth(features, layout, source);
  const { channels, downsample } = layout;
  const steps = Math.ceil(rawSteps / downsample);
  const offset = Float32Array.from(standardization.mean);
  const scale = Float32Array.from(standardization.std, (s) => 1 / s);
  if (offset.length !== channels || scale.length !== channels) {
    throw new PipelineError('E_INTERNAL', `standardization has ${offset.length} channels, layout has ${channels}`);
  }
  const size = rows === undefined ? features.rows : rows.length;
  return {
    size,
    exampleShape: [steps, channels],
    fill(indices, out) {
      let o = 0;
      for (let k = 0; k < indices.length; k++) {
        const position = indices[k]!;
        const i = rows === undefined ? position : rows[position]!;
        const base = i * features.cols;
        for (let t = 0; t < rawSteps; t += downsample) {
          for (let c = 0; c < channels; c++, o++) {
            const v = features.data[base + t * channels + c]!;
            if (!Number.isFinite(v)) throw nonFinite(i, t * channels + c, source);
            out[o] = (v - offset[c]!) * scale[c]!;
          }
        }
      }
    },
  };
}

function nonFinite(row: number, column: number, source: string): PipelineError {
  return new PipelineError('E_INPUT', `row ${row}, signal column ${column} is not a finite number`, {
    file: source,
    field: 'features',
    hint: 'remove or impute missing samples before training a temporal model',
  });
}
