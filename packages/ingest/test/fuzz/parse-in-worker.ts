import { Worker } from 'node:worker_threads';
import type { Outcome, TaskInput, TaskName } from './fuzz-tasks.js';

/**
 * Parses fuzzed files in a worker thread with a time limit per file: a parser that loops forever
 * (a synchronous loop cannot be interrupted in the same thread) is terminated and reported as a
 * hang, and the worker restarts for the next case.
 */
export class ParseWorker {
  private worker!: Worker;
  private ready!: Promise<void>;
  private next = 0;

  constructor(private readonly timeoutMs: number) {
    this.start();
  }

  private start(): void {
    this.worker = new Worker(new URL('./worker.mjs', import.meta.url));
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', reject);
    });
  }

  /** Runs `task` on `input`; rejects with "hang" after the time limit, or when the worker dies. */
  async run(task: TaskName, input: TaskInput): Promise<Record<string, Outcome>> {
    await this.ready;
    const id = ++this.next;
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const timer = setTimeout(() => {
        cleanup();
        void worker.terminate();
        this.start();
        reject(new Error(`hang: the ${task} readers did not finish within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const onMessage = (message: { id: number; outcome: Record<string, Outcome> }) => {
        if (message.id !== id) return;
        cleanup();
        resolve(message.outcome);
      };
      const onError = (error: Error) => {
        cleanup();
        this.start();
        reject(new Error(`the ${task} worker crashed: ${error.message}`));
      };
      const onExit = (code: number) => {
        cleanup();
        this.start();
        reject(new Error(`the ${task} worker exited with code ${code}`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ id, task, input });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
