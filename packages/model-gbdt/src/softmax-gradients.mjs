// Gradients and hessians of the half multinomial loss (K >= 3 classes) for the calling thread
// (iteration-grower.ts) and the workers (tree-lane.mjs): the wasm `softmax` of hist-kernel.wat over
// a range of rows. The labels, weights, raw scores, gradients and hessians of a fit live in one
// shared WebAssembly.Memory of their own (softmaxLayout), so every thread runs the same kernel on
// the same arrays. Every row's values depend on that row alone (its max and its sum over the
// classes, in class order), so any split of the rows between threads gives the same bytes.
//
// Memory layout (byte offsets, 16-byte aligned, 16 bytes of padding after each array: the kernel
// reads two rows at a time):
//   y         int32[nRows]: class positions
//   weights   float64[nRows], absent (offset 0) for unit weights
//   raw       float64[nTrees × nRows]: raw scores, class-major
//   g, h      float32[nTrees × nRows]: gradients and hessians, class-major
//   scratch   nTrees × 16 bytes per thread (thread 0: the calling thread, w + 1: worker w)
import { instantiateKernel, pagesFor } from './hist-kernel.mjs';

const align = (bytes) => Math.ceil(bytes / 16) * 16;

/** Byte offsets of the softmax arrays of a fit of `nRows` rows and `nTrees` classes on `threads` threads. */
export function softmaxLayout(nRows, nTrees, weighted, threads) {
  const y = 0;
  const weights = weighted ? align(y + nRows * 4 + 16) : 0;
  const raw = align((weighted ? weights + nRows * 8 : y + nRows * 4) + 16);
  const g = align(raw + nTrees * nRows * 8 + 16);
  const h = align(g + nTrees * nRows * 4 + 16);
  const scratch = align(h + nTrees * nRows * 4 + 16);
  return { nRows, nTrees, y, weights, raw, g, h, scratch, bytes: scratch + threads * nTrees * 16 };
}

/** A shared memory for `layout` (its pages are zero). */
export function softmaxMemory(layout) {
  const pages = pagesFor(layout.bytes);
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/**
 * Views of the arrays in `memory` (laid out by `layout`) and `run(r0, r1)`, which computes rows
 * [r0, r1) of the gradients and hessians on this thread (`thread`: its scratch).
 */
export function softmaxLane(memory, layout, thread) {
  const { nRows, nTrees } = layout;
  const buffer = memory.buffer;
  const wasm = instantiateKernel(memory);
  const scratch = layout.scratch + thread * nTrees * 16;
  return {
    y: new Int32Array(buffer, layout.y, nRows),
    weights: layout.weights === 0 ? undefined : new Float64Array(buffer, layout.weights, nRows),
    raw: new Float64Array(buffer, layout.raw, nTrees * nRows),
    gradients: new Float32Array(buffer, layout.g, nTrees * nRows),
    hessians: new Float32Array(buffer, layout.h, nTrees * nRows),
    run(r0, r1) {
      wasm.softmax(layout.y, layout.raw, layout.weights, nTrees, nRows, layout.g, layout.h, scratch, r0, r1);
    },
  };
}
