import { PipelineError } from '@pipeline/core';
import { analysisStep } from './dwt-kernel.js';
import { dwtCoeffLength } from './dwt-length.js';
import { checkSignalLength, extendSignal, fillExtension, type ExtensionMode } from './extension-mode.js';
import type { Wavelet } from './wavelet.js';

/**
 * A reusable multilevel decomposition of signals of one length: the band lengths, reversed filters
 * and scratch buffers are computed once, so decomposing a row allocates nothing. This is the engine
 * behind `dwt`, `wavedec`, `wavedecRows` and the feature recipes; it is not thread-safe (one plan per
 * thread).
 *
 * Bands come out in pywt's order `[cA_level, cD_level, …, cD_1]`.
 */
export class WavedecPlan {
  readonly wavelet: Wavelet;
  readonly mode: ExtensionMode;
  readonly level: number;
  readonly inputLength: number;
  /** Length of each output band, in output order. */
  readonly lengths: readonly number[];
  private readonly loReversed: Float64Array;
  private readonly hiReversed: Float64Array;
  /** Input length of each level: levelLengths[0] = n, levelLengths[l] = length of cA_l. */
  private readonly levelLengths: readonly number[];
  private readonly pad: number;
  private readonly start: number;
  private readonly bufferA: Float64Array;
  private readonly bufferB: Float64Array;

  constructor(inputLength: number, wavelet: Wavelet, mode: ExtensionMode, level: number) {
    if (!Number.isInteger(level) || level < 0) {
      throw new PipelineError('E_USAGE', `level must be an integer ≥ 0, got ${level}`, { field: 'level' });
    }
    const f = wavelet.length;
    const levelLengths = [inputLength];
    for (let l = 0; l < level; l++) {
      checkSignalLength(levelLengths[l]!, mode);
      levelLengths.push(dwtCoeffLength(levelLengths[l]!, f, mode));
    }
    if (level === 0) checkSignalLength(inputLength, mode);
    this.wavelet = wavelet;
    this.mode = mode;
    this.level = level;
    this.inputLength = inputLength;
    this.levelLengths = levelLengths;
    this.lengths = level === 0 ? [inputLength] : [levelLengths[level]!, ...levelLengths.slice(1).reverse()];
    this.loReversed = wavelet.decLo.slice().reverse();
    this.hiReversed = wavelet.decHi.slice().reverse();
    this.pad = f - 1;
    this.start = mode === 'periodization' ? f / 2 : 1;
    const longest = Math.max(...levelLengths);
    this.bufferA = new Float64Array(longest + 1 + 2 * this.pad);
    this.bufferB = new Float64Array(longest + 1 + 2 * this.pad);
  }

  /**
   * Decomposes `src[srcOffset, srcOffset + inputLength)` and writes band b to
   * `bands[b][row * lengths[b], (row + 1) * lengths[b])`.
   */
  run(src: ArrayLike<number>, srcOffset: number, bands: readonly Float64Array[], row: number): void {
    const { level, pad, start, mode, loReversed, hiReversed, levelLengths, lengths } = this;
    if (level === 0) {
      const out = bands[0]!;
      const n = this.inputLength;
      for (let i = 0; i < n; i++) out[row * n + i] = src[srcOffset + i]!;
      return;
    }
    let input = this.bufferA;
    let spare = this.bufferB;
    extendSignal(src, srcOffset, levelLengths[0]!, mode, input, pad);
    for (let l = 1; l <= level; l++) {
      const count = levelLengths[l]!;
      const detailBand = level - l + 1;
      const detail = bands[detailBand]!;
      const detailOffset = row * lengths[detailBand]!;
      if (l === level) {
        analysisStep(input, start, count, loReversed, hiReversed, bands[0]!, row * lengths[0]!, detail, detailOffset);
      } else {
        analysisStep(input, start, count, loReversed, hiReversed, spare, pad, detail, detailOffset);
        fillExtension(spare, pad, count, mode);
        const used = input;
        input = spare;
        spare = used;
      }
    }
  }
}
