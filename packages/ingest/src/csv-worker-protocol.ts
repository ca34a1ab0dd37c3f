import type { CsvLayout } from './csv-scanner.js';

/** A parallel read sent to every worker: they claim chunks `k` (bytes `[bounds[k], bounds[k + 1])`) through `control[0]`. */
export interface CsvJobMessage {
  readonly job: number;
  readonly file: string;
  /** Int32Array over it: `[0]` is the next unclaimed chunk (Atomics.add); ≥ chunk count stops the claims. */
  readonly control: SharedArrayBuffer;
  readonly bounds: readonly number[];
  readonly bodyStart: number;
  readonly layout: CsvLayout;
  readonly float64: boolean;
  readonly batchRows: number;
}

/** What a CSV worker posts back. */
export type CsvWorkerReply =
  | {
      readonly type: 'chunk';
      readonly job: number;
      readonly chunk: number;
      readonly rows: number;
      readonly batches: (Float32Array | Float64Array)[];
      readonly ids: string[] | undefined;
    }
  /** The chunk did not parse (or the file did not open: chunk -1); the caller re-reads serially for the error. */
  | { readonly type: 'failed'; readonly job: number; readonly chunk: number; readonly message: string }
  /** No chunk left for this worker. */
  | { readonly type: 'done'; readonly job: number };
