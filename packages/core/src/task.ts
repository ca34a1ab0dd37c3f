/**
 * Fold and trial work as serializable tasks: a task is plain JSON (no closures, no tensors), so the
 * same description can run in-process, in a worker thread or on a remote job queue. Results are
 * plain JSON plus binary payloads.
 */
export interface TaskSpec<Payload = Record<string, unknown>> {
  /** Task type, e.g. `fold-fit`, `trial`. */
  readonly type: string;
  /** Unique, deterministic id (e.g. `oof/hgb_tabular/fold-3`); used for resume and de-duplication. */
  readonly id: string;
  readonly payload: Readonly<Payload>;
}

export interface TaskResult<Output = Record<string, unknown>> {
  readonly id: string;
  readonly output: Readonly<Output>;
  /** Binary outputs (e.g. OOF probabilities as Float32 bytes, a model artifact's files). */
  readonly blobs?: Readonly<Record<string, Uint8Array>>;
  readonly durationMs: number;
}
