import { join } from 'node:path';
import { SummaryWriter } from '@pipeline/eeg';

/** Where the scalars of a run go: TensorBoard event files and a JSONL mirror. */
export interface ScalarLog {
  /** Records one scalar (buffered; {@link flush} writes). */
  add(tag: string, value: number, step: number): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Files written. */
  readonly files: { readonly jsonl: string; readonly tensorboard: string };
}

/**
 * Opens the scalar log of a run folder with `@pipeline/eeg`'s `SummaryWriter`: a TensorBoard event
 * file `events/events.out.tfevents.<seconds>.<host>` (a resumed run adds a new one; TensorBoard
 * reads them together) and `events/scalars.jsonl` (`{"tag","step","value","wallTime"}` per line,
 * NaN/Infinity as null; appended to on resume).
 */
export async function openScalarLog(runDir: string): Promise<ScalarLog> {
  const writer = new SummaryWriter(join(runDir, 'events'), { jsonl: 'scalars.jsonl' });
  await writer.flush();
  return {
    files: { jsonl: writer.jsonlPath!, tensorboard: writer.path },
    add: (tag, value, step) => writer.addScalar(tag, value, step),
    flush: () => writer.flush(),
    close: () => writer.close(),
  };
}
