// Queue worker processes for the benchmarks in this folder (not a test): start one from the built
// worker-bin and wait for its "ready" line (or fail on exit / after a timeout, never hang), stop one
// with SIGTERM.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const workerBin = join(fileURLToPath(new URL('.', import.meta.url)), '../dist/worker-bin.js');

/** Starts `worker-bin` on `queueName` (concurrency 1); resolves with the child once it logs ready. */
export function startWorker(url, queueName, { maxJobsPerProcess, readyTimeoutMs = 60_000 }) {
  const child = spawn(process.execPath, [workerBin, JSON.stringify({ connection: url, queueName, concurrency: 1, maxJobsPerProcess })], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`queue worker for ${queueName} not ready after ${readyTimeoutMs} ms`));
    }, readyTimeoutMs);
    child.stdout.on('data', (d) => {
      out += d.toString();
      if (out.includes('"message":"ready"')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited ${code}`));
    });
  });
}

/** Sends SIGTERM and resolves when the worker has exited. */
export const stopWorker = (child) =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

