/**
 * Worker thread of the parallel `readCsv`: opens the file itself, claims chunks of the body from the
 * shared counter and parses each with the serial scanner, posting the batches back (transferred).
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { scanCsvRange } from './csv-range.js';
import type { CsvJobMessage, CsvWorkerReply } from './csv-worker-protocol.js';

const port = parentPort!;
const scratch = new Uint8Array(1 << 20);

function reply(message: CsvWorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

port.on('message', (message: CsvJobMessage) => {
  const { job, bounds } = message;
  const chunks = bounds.length - 1;
  const control = new Int32Array(message.control);
  let fd: number | undefined;
  try {
    fd = openSync(message.file, 'r');
    for (;;) {
      const chunk = Atomics.add(control, 0, 1);
      if (chunk >= chunks) break;
      try {
        const result = scanCsvRange(
          {
            fd,
            bodyStart: message.bodyStart,
            from: bounds[chunk]!,
            to: bounds[chunk + 1]!,
            layout: message.layout,
            float64: message.float64,
            batchRows: message.batchRows,
          },
          scratch,
        );
        reply(
          { type: 'chunk', job, chunk, rows: result.rows, batches: result.batches, ids: result.ids },
          result.batches.map((batch) => batch.buffer as ArrayBuffer),
        );
      } catch (error) {
        Atomics.store(control, 0, chunks); // nobody claims more: the caller re-reads serially
        reply({ type: 'failed', job, chunk, message: error instanceof Error ? error.message : String(error) });
        break;
      }
    }
  } catch (error) {
    reply({ type: 'failed', job, chunk: -1, message: error instanceof Error ? error.message : String(error) });
  } finally {
    if (fd !== undefined) closeSync(fd);
    reply({ type: 'done', job });
  }
});
