/**
 * Worker thread of the parallel `readCsv`: opens the file itself, claims chunks of the body from
 * the shared counters and counts their rows, then parses them with the serial scanner straight
 * into the shared output (see csv-worker-protocol.ts).
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { countCsvRows, parseCsvRows } from './csv-range.js';
import { hashTexts } from './has-duplicates.js';
import type { CsvJobMessage, CsvWorkerReply } from './csv-worker-protocol.js';

type CountMessage = Extract<CsvJobMessage, { type: 'count' }>;

const port = parentPort!;
const scratch = new Uint8Array(1 << 20);
/** Count messages of the jobs whose parse message has not come yet (a failed job never sends one). */
const pending = new Map<number, CountMessage>();
const MAX_PENDING = 16;

function reply(message: CsvWorkerReply): void {
  port.postMessage(message);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Claims chunks through `control[phase]` and runs `work` on each until none is left or one fails. */
function claimChunks(job: CountMessage, phase: 0 | 1, work: (fd: number, chunk: number) => void): void {
  const chunks = job.bounds.length - 1;
  const control = new Int32Array(job.control);
  let fd: number;
  try {
    fd = openSync(job.file, 'r');
  } catch (error) {
    reply({ type: 'failed', job: job.job, chunk: -1, message: errorText(error) });
    return;
  }
  try {
    for (;;) {
      const chunk = Atomics.add(control, phase, 1);
      if (chunk >= chunks) break;
      try {
        work(fd, chunk);
      } catch (error) {
        Atomics.store(control, phase, chunks); // nobody claims more: the caller re-reads serially
        reply({ type: 'failed', job: job.job, chunk, message: errorText(error) });
        break;
      }
    }
  } finally {
    closeSync(fd);
  }
}

port.on('message', (message: CsvJobMessage) => {
  if (message.type === 'count') {
    pending.set(message.job, message);
    if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!);
    const { job, bounds, bodyStart } = message;
    claimChunks(message, 0, (fd, chunk) => {
      const rows = countCsvRows({ fd, bodyStart, from: bounds[chunk]!, to: bounds[chunk + 1]! }, scratch);
      reply({ type: 'counted', job, chunk, rows });
    });
    return;
  }
  const job = pending.get(message.job);
  pending.delete(message.job);
  if (job === undefined) return; // started after the job ended: every chunk was taken
  const { bounds, bodyStart } = job;
  const { firstRows, layout } = message;
  const width = layout.columns.length;
  const output = message.float64 ? new Float64Array(message.output) : new Float32Array(message.output);
  claimChunks(job, 1, (fd, chunk) => {
    const first = firstRows[chunk]!;
    const rows = firstRows[chunk + 1]! - first;
    const data = output.subarray(first * width, (first + rows) * width);
    const { ids, texts } = parseCsvRows({ fd, bodyStart, from: bounds[chunk]!, to: bounds[chunk + 1]! }, scratch, layout, data, rows);
    const hashes = message.hashIds && ids !== undefined ? hashTexts(ids) : undefined;
    port.postMessage({ type: 'parsed', job: message.job, chunk, ids, hashes, texts } satisfies CsvWorkerReply, hashes === undefined ? [] : [hashes.buffer as ArrayBuffer]);
  });
});
