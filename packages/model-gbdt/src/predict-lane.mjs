// Rows of a prediction through the wasm `predict` kernel (tree-predictor.ts compiles the trees into
// a shared memory of their own, with one chunk region per thread, a "lane"). A plain ES module so
// the calling thread and the pool's workers (hist-worker.mjs, job kind JOB_KIND_PREDICT) run the
// same code on row blocks of one large batch. Every row adds its trees' leaf values in tree order
// on its own, so any split of the rows gives the same bytes.
import { instantiateKernel } from './hist-kernel.mjs';

/**
 * Raw scores of rows [r0, r1) of `x` (float32, row-major, `cols` per row) into `out` (float64,
 * class-major: out[k * rows + i]), starting from `baseline`, through `lane`'s chunk of the compiled
 * memory (`chunkRows` rows at a time).
 */
export function predictRows(lane, x, out, rows, cols, nTreesPerIteration, nTrees, baseline, r0, r1) {
  const { wasm, memory, values, roots, depths, x: xOffset, raw: rawOffset, chunkRows } = lane;
  const K = nTreesPerIteration;
  const buffer = memory.buffer;
  for (let c0 = r0; c0 < r1; c0 += chunkRows) {
    const n = Math.min(chunkRows, r1 - c0);
    new Float32Array(buffer, xOffset, n * cols).set(x.subarray(c0 * cols, (c0 + n) * cols));
    const raw = new Float64Array(buffer, rawOffset, K * n);
    for (let k = 0; k < K; k++) raw.fill(baseline[k], k * n, (k + 1) * n);
    wasm.predict(0, values, roots, depths, nTrees, K, xOffset, n, cols, rawOffset);
    for (let k = 0; k < K; k++) out.set(raw.subarray(k * n, (k + 1) * n), k * rows + c0);
  }
}

/**
 * A worker's part of a parallel prediction: `setup` holds the compiled memory and this worker's
 * chunk offsets, the rows (`x`) and the output (`out`) as SharedArrayBuffers. Returns the runner
 * of row blocks [b0, b1) (`blockRows` rows each).
 */
export function createPredictLane(setup) {
  const { memory, values, roots, depths, chunkRows, rows, cols, nTreesPerIteration, nTrees, baseline, blockRows } = setup;
  const lane = { wasm: instantiateKernel(memory), memory, values, roots, depths, x: setup.lane.x, raw: setup.lane.raw, chunkRows };
  const x = new Float32Array(setup.x);
  const out = new Float64Array(setup.out);
  return (b0, b1) => predictRows(lane, x, out, rows, cols, nTreesPerIteration, nTrees, baseline, b0 * blockRows, Math.min(rows, b1 * blockRows));
}
