/** Types of softmax-gradients.mjs (plain JavaScript shared by the calling thread and the workers). */

/** Rows [r0, r1) of the half multinomial loss's gradients and hessians (class-major arrays; see the module). */
export declare function softmaxGradients(
  y: Int32Array,
  raw: Float64Array,
  weights: Float64Array | undefined,
  nTrees: number,
  n: number,
  gradients: Float32Array,
  hessians: Float32Array,
  exps: Float64Array,
  max: Float64Array,
  sum: Float64Array,
  r0: number,
  r1: number,
): void;
