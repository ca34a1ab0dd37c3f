import { createRequire } from 'node:module';
import type { SingleBar } from 'cli-progress';
import type { ProgressCallback, ProgressEvent } from '@pipeline/core';
import type { CliIo } from './io.js';

/**
 * Renders library progress events as bars on stderr (one bar per stage/label). Only on a TTY and
 * without --quiet; otherwise progress is dropped (logs still say what happens).
 */
export interface ProgressRenderer {
  readonly onProgress: ProgressCallback;
  stop(): void;
}

export function createProgress(io: CliIo, enabled: boolean): ProgressRenderer {
  if (!enabled || io.stderrIsTTY !== true) return { onProgress: () => {}, stop: () => {} };
  // Loaded only when bars are drawn (a TTY without --quiet): it is start-up time every other run would pay.
  const { MultiBar, Presets } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  const stream = { write: (text: string) => io.stderr(text), isTTY: true } as unknown as NodeJS.WritableStream;
  const multi = new MultiBar(
    { stream, format: ' {stage} {label} [{bar}] {value}/{total} {eta_formatted}', hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  return {
    onProgress(event: ProgressEvent) {
      const key = `${event.stage}\u0000${event.label ?? ''}`;
      let bar = bars.get(key);
      if (bar === undefined) {
        bar = multi.create(event.total, 0, { stage: event.stage, label: event.label ?? '' });
        bars.set(key, bar);
      }
      bar.setTotal(event.total);
      bar.update(event.current, { stage: event.stage, label: event.label ?? '' });
    },
    stop() {
      multi.stop();
    },
  };
}
