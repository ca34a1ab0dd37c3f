import type { CsvLayout } from './csv-scanner.js';

/**
 * A parallel read, sent to every worker. Threads claim chunks `k` (bytes `[bounds[k], bounds[k + 1])`)
 * in order through the shared counter `control[CLAIM]` and place them through the chain of first
 * rows (see csv-chunk-chain.ts): each chunk is read once, counted, and parsed straight into the
 * shared output at its first row.
 */
export interface CsvJobMessage {
  readonly type: 'read';
  readonly job: number;
  readonly file: string;
  /** Int32Array over it: `[CLAIM, PUBLISHED]` (csv-chunk-chain.ts). */
  readonly control: SharedArrayBuffer;
  /** Float64Array over it: per chunk its first row, once published. */
  readonly firstRows: SharedArrayBuffer;
  readonly bounds: readonly number[];
  readonly bodyStart: number;
  /** Growable row-major output, Float32Array or Float64Array (`float64`) of all rows. */
  readonly output: SharedArrayBuffer;
  readonly float64: boolean;
  readonly layout: CsvLayout;
  /** Whether to send each chunk's id hashes (`hashTexts`) for the duplicate check. */
  readonly hashIds: boolean;
}

/** What a CSV worker posts back. */
export type CsvWorkerReply =
  | { readonly type: 'parsed'; readonly job: number; readonly chunk: number; readonly ids: string[] | undefined; readonly hashes: Int32Array | undefined; readonly texts: (string[] | undefined)[] | undefined }
  /** The chunk did not parse (or the file did not open: chunk -1); the caller re-reads serially for the error. */
  | { readonly type: 'failed'; readonly job: number; readonly chunk: number; readonly message: string };
