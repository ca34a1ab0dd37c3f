import zlib from 'node:zlib';

/** The native zlib binding behind a `zlib.Inflate` stream (Node 20–26 `_handle`). */
interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, output: Uint8Array, outOffset: number, outLength: number): void;
  reset(): void;
  onerror: (message: string, errno: number) => void;
}

/**
 * Inflates zlib streams (HDF5's deflate filter) with Node's native zlib straight into a caller's
 * buffer: no output allocation per chunk, which matters because fresh memory costs a page fault per
 * 4 KiB on first touch. Uses the synchronous `writeSync` of a `zlib.Inflate` stream's native handle
 * (what `zlib.inflateSync` itself calls); where that is unavailable it falls back to
 * `zlib.inflateSync` and a copy.
 */
export class Inflater {
  private stream: zlib.Inflate | undefined;
  private handle: ZlibHandle | undefined;
  private state: Uint32Array | undefined;
  private failure: string | undefined;
  private readonly direct: boolean;

  constructor() {
    this.direct = this.open();
  }

  /**
   * Inflates all of `input` into exactly `output.length` bytes. Throws an `Error` with zlib's
   * message when the stream is corrupt, ends early, or holds more than `output.length` bytes.
   */
  inflateInto(input: Uint8Array, output: Uint8Array): void {
    if (!this.direct || this.handle === undefined) {
      let result: Buffer;
      try {
        result = zlib.inflateSync(input, { chunkSize: Math.max(64, output.length), maxOutputLength: Math.max(1, output.length) });
      } catch (cause) {
        throw new Error(`zlib: ${(cause as Error).message}`);
      }
      if (result.length !== output.length) throw new Error(`zlib: inflated to ${result.length} bytes, expected ${output.length}`);
      output.set(result);
      return;
    }
    this.failure = undefined;
    this.handle.writeSync(zlib.constants.Z_FINISH, input, 0, input.length, output, 0, output.length);
    const failure = this.failure as string | undefined;
    const availOut = this.state![0]!;
    const availIn = this.state![1]!;
    if (failure !== undefined) {
      this.close();
      this.open();
      throw new Error(`zlib: ${failure}`);
    }
    this.handle.reset();
    if (availOut !== 0) throw new Error(`zlib: inflated to ${output.length - availOut} bytes, expected ${output.length}`);
    if (availIn !== 0) throw new Error(`zlib: the stream holds more than the expected ${output.length} bytes`);
  }

  close(): void {
    this.stream?.close();
    this.stream = undefined;
    this.handle = undefined;
    this.state = undefined;
  }

  private open(): boolean {
    const stream = zlib.createInflate();
    const internals = stream as unknown as { _handle?: ZlibHandle; _writeState?: Uint32Array };
    const handle = internals._handle;
    const state = internals._writeState;
    if (handle === undefined || typeof handle.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array)) {
      stream.close();
      return false;
    }
    handle.onerror = (message: string) => {
      this.failure = message;
    };
    this.stream = stream;
    this.handle = handle;
    this.state = state;
    return true;
  }
}
