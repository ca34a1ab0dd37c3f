import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { fingerprintFile, type InputFingerprint } from '@pipeline/runs';

/**
 * The worker's script: sha256 of a file, read with `readSync` in 4 MiB blocks into one reused
 * buffer (no fresh memory per block). Plain CommonJS with Node built-ins only, so the thread starts
 * in milliseconds (no package of ours is loaded).
 */
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const hash = createHash('sha256');
const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
const fd = openSync(workerData.path, 'r');
let bytes = 0;
try {
  for (;;) {
    const n = readSync(fd, buffer, 0, buffer.length, null);
    if (n === 0) break;
    hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
    bytes += n;
  }
} finally {
  closeSync(fd);
}
parentPort.postMessage({ sha256: hash.digest('hex'), bytes });
`;

/** The sha256 of a file, computed in a worker thread; rejects when the thread fails. */
export function sha256InWorker(path: string): Promise<{ sha256: string; bytes: number }> {
  return new Promise((done, fail) => {
    const worker = new Worker(HASH_WORKER, { eval: true, workerData: { path }, name: 'fingerprint' });
    // The hash must never keep the process alive on its own (the caller awaits it when it needs it).
    worker.unref();
    let settled = false;
    worker.once('message', (result: { sha256: string; bytes: number }) => {
      settled = true;
      done(result);
    });
    worker.once('error', (error) => {
      settled = true;
      fail(error);
    });
    worker.once('exit', (code) => {
      if (!settled) fail(new Error(`fingerprint worker exited with code ${code} before it answered`));
    });
  });
}

/**
 * An input file's fingerprint started now and finished on another thread while this one reads and
 * featurizes: `finish` gives exactly what `fingerprintFile` (`@pipeline/runs`) gives for the file
 * (same fields, same order, same sha256). The file's size is taken now, as `fingerprintFile` does
 * before it hashes. If the thread fails (the file vanished, no worker could start), `finish` falls
 * back to `fingerprintFile`, so its error is the one the caller always saw.
 */
export class BackgroundFingerprint {
  readonly path: string;
  private readonly hashed: Promise<{ sha256: string; bytes: number } | undefined>;
  private readonly size: number | undefined;

  constructor(path: string) {
    this.path = resolve(path);
    let size: number | undefined;
    try {
      size = statSync(this.path).size;
    } catch {
      size = undefined;
    }
    this.size = size;
    this.hashed = size === undefined ? Promise.resolve(undefined) : sha256InWorker(this.path).catch(() => undefined);
  }

  /** The fingerprint of `path` (which must name the file this was started for) with its role and extras. */
  async finish(path: string, role: string, extra: { shape?: readonly number[]; dataset?: string } = {}): Promise<InputFingerprint> {
    const absolute = resolve(path);
    const hashed = absolute === this.path ? await this.hashed : undefined;
    if (hashed === undefined || hashed.bytes !== this.size) return fingerprintFile(absolute, role, extra);
    return {
      role,
      path: absolute,
      bytes: this.size,
      sha256: hashed.sha256,
      ...(extra.shape === undefined ? {} : { shape: extra.shape }),
      ...(extra.dataset === undefined ? {} : { dataset: extra.dataset }),
    };
  }
}
