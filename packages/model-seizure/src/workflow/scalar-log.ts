import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the scalars of a run go: one JSONL line per value, and TensorBoard event files. */
export interface ScalarLog {
  /** Records one scalar (buffered; {@link flush} writes). */
  add(tag: string, value: number, step: number): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Files written. */
  readonly files: { readonly jsonl: string; readonly tensorboard: string | null };
}

/**
 * Opens the scalar log of a run folder: `events/scalars.jsonl` (`{"tag","step","value","wallTime"}`
 * per line; NaN/Infinity as null) and, when `@pipeline/eeg` provides its TensorBoard writer, an
 * `events.out.tfevents.*` file beside it.
 */
export async function openScalarLog(runDir: string): Promise<ScalarLog> {
  const dir = join(runDir, 'events');
  await mkdir(dir, { recursive: true });
  const jsonl = join(dir, 'scalars.jsonl');
  let pending: string[] = [];
  const tensorboard = await openTensorboard(dir);
  const log: ScalarLog = {
    files: { jsonl, tensorboard: tensorboard?.path ?? null },
    add(tag, value, step) {
      const wallTime = Date.now() / 1000;
      pending.push(`${JSON.stringify({ tag, step, value: Number.isFinite(value) ? value : null, wallTime })}\n`);
      tensorboard?.add(tag, value, step, wallTime);
    },
    async flush() {
      if (pending.length > 0) {
        const text = pending.join('');
        pending = [];
        await appendFile(jsonl, text);
      }
      await tensorboard?.flush();
    },
    async close() {
      await log.flush();
      await tensorboard?.close();
    },
  };
  return log;
}

interface TensorboardSink {
  readonly path: string;
  add(tag: string, value: number, step: number, wallTime: number): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

async function openTensorboard(_dir: string): Promise<TensorboardSink | undefined> {
  return undefined;
}
