import { readFile } from 'node:fs/promises';
import { PipelineError } from '@pipeline/core';
import { parseCsvBi } from '@pipeline/metrics/eeg';
import { readEventsTsv } from './events-tsv.js';

/** Seizure events of an annotation file and the recording duration it states, if any. */
export interface SeizureAnnotations {
  readonly seizures: ReadonlyArray<readonly [number, number]>;
  /** `# duration` of a csv_bi, `recordingDuration` of an events TSV, or `null`. */
  readonly durationSec: number | null;
}

/**
 * Reads a seizure annotation file by its extension: BIDS `*.tsv` (`eventType` `sz*` = seizure) or
 * NEDC `*.csv_bi` (`seiz` = seizure, `bckg` = background, via `@pipeline/metrics/eeg`'s `parseCsvBi`).
 */
export async function readSeizureAnnotations(path: string): Promise<SeizureAnnotations> {
  if (/\.tsv$/i.test(path)) {
    const parsed = await readEventsTsv(path);
    return { seizures: parsed.seizures, durationSec: parsed.recordingDuration };
  }
  if (/\.csv_bi$/i.test(path)) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw new PipelineError('E_NOT_FOUND', 'cannot read the annotation file', { file: path, cause });
    }
    const parsed = parseCsvBi(text, { file: path });
    const seizures = parsed.seizures.map(([s, e]) => [s, e] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return { seizures, durationSec: parsed.duration };
  }
  throw new PipelineError('E_INPUT', 'unknown annotation format', { file: path, hint: 'use NAME_events.tsv (BIDS) or NAME.csv_bi (NEDC)' });
}
