import { PipelineError } from '@pipeline/core';
import { analysisStep } from './dwt-kernel.js';
import { dwtCoeffLength } from './dwt-length.js';
import { checkSignalLength, extendSignal, fillExtension, type ExtensionMode } from './extension-mode.js';
import { instantiateAnalysis, type AnalysisKernel } from './wasm-analysis.js';
import type { Wavelet } from './wavelet.js';

/**
 * Which inner loop computes the bands: `wasm` (WebAssembly SIMD, about twice as fast), `js` (plain
 * Float64Array code), or `auto` (wasm where the runtime supports SIMD, else js). Both give the
 * same bits.
 */
export type DwtEngine = 'auto' | 'wasm' | 'js';

/** The WebAssembly side of a plan: its memory, kernel, byte offsets and fixed views. */
interface WasmState {
  readonly kernel: AnalysisKernel;
  readonly offsetA: number;
  readonly offsetB: number;
  readonly offsetOutA: number;
  readonly offsetOutD: number;
  /** outA/outD views of each level's length, so a row allocates nothing. */
  readonly outA: readonly Float64Array[];
  readonly outD: readonly Float64Array[];
}

/**
 * A reusable multilevel decomposition of signals of one length: the band lengths, filters and
 * scratch buffers are set up once, so decomposing a row allocates nothing. This is the engine
 * behind `dwt`, `wavedec`, `wavedecRows` and the feature recipes; it is not thread-safe (one plan
 * per thread).
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
  /** The inner loop in use. */
  readonly engine: 'wasm' | 'js';
  private readonly loReversed: Float64Array;
  private readonly hiReversed: Float64Array;
  /** Input length of each level: levelLengths[0] = n, levelLengths[l] = length of cA_l. */
  private readonly levelLengths: readonly number[];
  private readonly pad: number;
  private readonly start: number;
  private readonly bufferA: Float64Array;
  private readonly bufferB: Float64Array;
  private readonly wasm: WasmState | undefined;

  constructor(inputLength: number, wavelet: Wavelet, mode: ExtensionMode, level: number, engine: DwtEngine = 'auto') {
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
    const bufferLength = Math.max(...levelLengths) + 1 + 2 * this.pad;
    const outLength = Math.max(1, ...levelLengths.slice(1));

    // Memory layout (bytes): filter pairs | buffer A | buffer B | outA | outD.
    const offsetA = 16 * f;
    const offsetB = offsetA + 8 * bufferLength;
    const offsetOutA = offsetB + 8 * bufferLength;
    const offsetOutD = offsetOutA + 8 * outLength;
    const wasm = engine === 'js' || level === 0 ? null : instantiateAnalysis(f, offsetOutD + 8 * outLength);
    if (engine === 'wasm' && wasm === null && level > 0) {
      throw new PipelineError('E_USAGE', 'the wasm DWT engine needs WebAssembly SIMD, which this runtime lacks', {
        field: 'engine',
        hint: "use engine 'auto' or 'js'",
      });
    }
    if (wasm !== null) {
      const { memory, kernel } = wasm;
      const filters = new Float64Array(memory.buffer, 0, 2 * f);
      for (let i = 0; i < f; i++) {
        filters[2 * i] = this.loReversed[i]!;
        filters[2 * i + 1] = this.hiReversed[i]!;
      }
      this.bufferA = new Float64Array(memory.buffer, offsetA, bufferLength);
      this.bufferB = new Float64Array(memory.buffer, offsetB, bufferLength);
      const outA = new Float64Array(memory.buffer, offsetOutA, outLength);
      const outD = new Float64Array(memory.buffer, offsetOutD, outLength);
      this.wasm = {
        kernel,
        offsetA,
        offsetB,
        offsetOutA,
        offsetOutD,
        outA: levelLengths.map((length) => outA.subarray(0, Math.min(length, outLength))),
        outD: levelLengths.map((length) => outD.subarray(0, Math.min(length, outLength))),
      };
      this.engine = 'wasm';
    } else {
      this.bufferA = new Float64Array(bufferLength);
      this.bufferB = new Float64Array(bufferLength);
      this.wasm = undefined;
      this.engine = 'js';
    }
  }

  /**
   * Decomposes `src[srcOffset, srcOffset + inputLength)` and writes band b to
   * `bands[b][row * lengths[b], (row + 1) * lengths[b])`. The arithmetic is float64; `Float32Array`
   * bands receive the float64 results rounded to nearest (as `Float32Array.from` would).
   */
  run(src: ArrayLike<number>, srcOffset: number, bands: readonly (Float64Array | Float32Array)[], row: number): void {
    const { level, pad, mode, levelLengths } = this;
    if (level === 0) {
      const out = bands[0]!;
      const n = this.inputLength;
      for (let i = 0; i < n; i++) out[row * n + i] = src[srcOffset + i]!;
      return;
    }
    extendSignal(src, srcOffset, levelLengths[0]!, mode, this.bufferA, pad);
    if (this.wasm !== undefined) {
      // TypedArray.set converts float64 → float32 natively: no intermediate copy.
      this.runWasm(this.wasm, bands, row);
    } else if (bands.every((band) => band instanceof Float64Array)) {
      this.runJs(bands as readonly Float64Array[], row);
    } else {
      // The JS kernel stays monomorphic (Float64Array): one row of float64 scratch, then a copy.
      this.rowScratch ??= this.lengths.map((length) => new Float64Array(length));
      this.runJs(this.rowScratch, 0);
      for (let b = 0; b < bands.length; b++) bands[b]!.set(this.rowScratch[b]!, row * this.lengths[b]!);
    }
  }

  /** One row of float64 bands for the JS engine writing into float32 bands; made on first use. */
  private rowScratch: Float64Array[] | undefined;

  private runJs(bands: readonly Float64Array[], row: number): void {
    const { level, pad, start, mode, loReversed, hiReversed, levelLengths, lengths } = this;
    let input = this.bufferA;
    let spare = this.bufferB;
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

  private runWasm(wasm: WasmState, bands: readonly (Float64Array | Float32Array)[], row: number): void {
    const { level, pad, start, mode, levelLengths, lengths } = this;
    let input = wasm.offsetA;
    let spare = wasm.offsetB;
    let spareView = this.bufferB;
    for (let l = 1; l <= level; l++) {
      const count = levelLengths[l]!;
      const detailBand = level - l + 1;
      const last = l === level;
      wasm.kernel(input + 8 * start, count, 0, last ? wasm.offsetOutA : spare + 8 * pad, wasm.offsetOutD);
      bands[detailBand]!.set(wasm.outD[l]!, row * lengths[detailBand]!);
      if (last) {
        bands[0]!.set(wasm.outA[l]!, row * lengths[0]!);
      } else {
        fillExtension(spareView, pad, count, mode);
        const used = input;
        input = spare;
        spare = used;
        spareView = spareView === this.bufferB ? this.bufferA : this.bufferB;
      }
    }
  }
}
