/**
 * Worker thread of the parallel `readCsv`: opens the file itself, claims chunks of the body from
 * the shared counter, reads each once, counts its rows, takes its place in the chain of first rows
 * and parses it with the serial scanner straight into the shared output (see csv-chunk-chain.ts).
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { CLAIM, failChain, firstRowOf, publishChunkEnd, type CsvChunkChain, type GrowableSharedArrayBuffer } from './csv-chunk-chain.js';
import { countRows, parseRows, readRangeLines } from './csv-range.js';
import { hashTexts } from './has-duplicates.js';
import type { CsvJobMessage, CsvWorkerReply } from './csv-worker-protocol.js';

const port = parentPort!;
/** The read buffer, kept while the thread lives (the pool ends idle threads), and the one for counting other threads' chunks. */
const holder = { buffer: new Uint8Array(0) };
const helper = { buffer: new Uint8Array(0) };

function reply(message: CsvWorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

port.on('message', (message: CsvJobMessage) => {
  const { job, bounds, bodyStart, layout } = message;
  const chunks = bounds.length - 1;
  const width = layout.columns.length;
  const control = new Int32Array(message.control);
  const chain: CsvChunkChain = {
    control,
    firstRows: new Float64Array(message.firstRows),
    output: message.output as GrowableSharedArrayBuffer,
    rowBytes: width * (message.float64 ? 8 : 4),
  };
  let fd: number;
  try {
    fd = openSync(message.file, 'r');
  } catch (error) {
    failChain(control, chunks);
    reply({ type: 'failed', job, chunk: -1, message: errorText(error) });
    return;
  }
  try {
    for (;;) {
      const chunk = Atomics.add(control, CLAIM, 1);
      if (chunk >= chunks) break;
      try {
        const block = readRangeLines({ fd, bodyStart, from: bounds[chunk]!, to: bounds[chunk + 1]! }, holder);
        const rows = countRows(block);
        const first = firstRowOf(chain, chunk, (k) => countRows(readRangeLines({ fd, bodyStart, from: bounds[k]!, to: bounds[k + 1]! }, helper)));
        publishChunkEnd(chain, chunk, first, rows);
        const data = message.float64 ? new Float64Array(chain.output, first * chain.rowBytes, rows * width) : new Float32Array(chain.output, first * chain.rowBytes, rows * width);
        const { ids, texts } = parseRows(block, layout, data, rows);
        const hashes = message.hashIds && ids !== undefined ? hashTexts(ids) : undefined;
        reply({ type: 'parsed', job, chunk, ids, hashes, texts }, hashes === undefined ? [] : [hashes.buffer as ArrayBuffer]);
      } catch (error) {
        failChain(control, chunks); // nobody claims or waits more: the caller re-reads serially
        reply({ type: 'failed', job, chunk, message: errorText(error) });
        break;
      }
    }
  } finally {
    closeSync(fd);
  }
});
