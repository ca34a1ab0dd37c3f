import type { CsvLayout } from './csv-scanner.js';

/**
 * The two phases of a parallel read, sent to every worker. Threads claim chunks `k` (bytes
 * `[bounds[k], bounds[k + 1])`) through the shared counter `control[phase]` (Atomics.add; a value ≥
 * the chunk count stops the claims): first each chunk's rows are counted, then, once the caller knows
 * every chunk's first row, the chunks are parsed straight into the shared output.
 */
export type CsvJobMessage =
  | {
      readonly type: 'count';
      readonly job: number;
      readonly file: string;
      /** Int32Array over it: `[0]` next chunk to count, `[1]` next chunk to parse. */
      readonly control: SharedArrayBuffer;
      readonly bounds: readonly number[];
      readonly bodyStart: number;
    }
  | {
      readonly type: 'parse';
      readonly job: number;
      /** Row-major output, Float32Array or Float64Array (`float64`) of all rows. */
      readonly output: SharedArrayBuffer;
      readonly float64: boolean;
      /** Per chunk: its first row; `firstRows[chunks]` is the total. */
      readonly firstRows: readonly number[];
      readonly layout: CsvLayout;
      /** Whether to send each chunk's id hashes (`hashTexts`) for the duplicate check. */
      readonly hashIds: boolean;
    };

/** What a CSV worker posts back. */
export type CsvWorkerReply =
  | { readonly type: 'counted'; readonly job: number; readonly chunk: number; readonly rows: number }
  | { readonly type: 'parsed'; readonly job: number; readonly chunk: number; readonly ids: string[] | undefined; readonly hashes: Int32Array | undefined; readonly texts: (string[] | undefined)[] | undefined }
  /** The chunk did not parse (or the file did not open: chunk -1); the caller re-reads serially for the error. */
  | { readonly type: 'failed'; readonly job: number; readonly chunk: number; readonly message: string };
