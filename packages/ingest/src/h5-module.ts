import type h5wasmLibrary from 'h5wasm/node';

/** h5wasm's low-level wasm module (what `h5wasm.ready` resolves to). */
export type H5Module = Awaited<(typeof h5wasmLibrary)['ready']>;

/** The loaded h5wasm library: its high-level classes and the low-level wasm module. */
export interface H5Runtime {
  readonly h5wasm: typeof h5wasmLibrary;
  readonly module: H5Module;
}

let loading: Promise<H5Runtime> | undefined;

/**
 * Loads h5wasm once per process (on first use) and turns on its throwing error handler.
 *
 * Without `activate_throwing_error_handler()` h5wasm reports open failures only as
 * `error - name not defined!` on first use and returns zeros or uninitialised memory for a corrupt
 * gzip chunk (see ../shared/notes/ingest-and-signal.md §1d); with it every HDF5 failure throws an
 * `Error` whose message is the HDF5-DIAG stack.
 */
export function loadH5(): Promise<H5Runtime> {
  // Imported on first use: CSV/Arrow-only callers never pay for the wasm module (≈40 MB RSS).
  loading ??= import('h5wasm/node').then(async ({ default: h5wasm }) => {
    const module = await h5wasm.ready;
    module.activate_throwing_error_handler();
    return { h5wasm, module };
  });
  return loading;
}

/**
 * The innermost cause of an h5wasm error: the last `#NNN: … in FUNC(): message` entry of an
 * HDF5-DIAG stack, without the build-machine source path. Falls back to the first line.
 */
export function h5Cause(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const entries = [...text.matchAll(/#\d+: .*? line \d+ in ([A-Za-z0-9_]+)\(\): (.*)/g)];
  const last = entries[entries.length - 1];
  if (last !== undefined) return `${last[2]!.trim()} (HDF5 ${last[1]})`;
  return text.split('\n')[0]!.trim();
}

/**
 * Runs synchronous h5wasm writes with the wasm module's clock pinned to `epochMs`.
 *
 * HDF5 stamps every object header it creates with access/modification/change/birth times read
 * through `Date.now()`, so two otherwise identical files differ in those bytes and in the header
 * checksums. h5wasm exposes no `track_times` switch, so the clock is pinned instead. The callback
 * must be synchronous (h5wasm's API is), so no other code observes the pinned clock.
 */
export function withPinnedClock<T>(epochMs: number, write: () => T): T {
  const original = Date.now;
  Date.now = () => epochMs;
  try {
    const result = write();
    if (result instanceof Promise) throw new TypeError('withPinnedClock needs a synchronous callback');
    return result;
  } finally {
    Date.now = original;
  }
}
