/** A dense row-major float64 matrix: the float64 counterpart of core's `Matrix` (element (i, j) is `data[i * cols + j]`). */
export interface Matrix64 {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}
