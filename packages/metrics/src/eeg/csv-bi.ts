import { PipelineError } from '@pipeline/core';
import { formatFixed } from '../python-round.js';
import type { Interval } from './types.js';

export interface ParseCsvBiOptions {
  /** The file name, for error messages. */
  readonly file?: string;
  /** Labels that mean seizure (case-insensitive). Default `['seiz']`, NEDC v6.0.0's two-class map. */
  readonly seizureLabels?: readonly string[];
  /** Labels that mean background (case-insensitive). Default `['bckg']`. */
  readonly backgroundLabels?: readonly string[];
}

export interface CsvBiAnnotation {
  /** From the `# duration = D secs` header. */
  readonly duration: number;
  /** Seizure events in seconds, in file order. */
  readonly seizures: Interval[];
}

/**
 * Reads a NEDC / TUSZ `.csv_bi` annotation (`# duration = D secs` header, then
 * `channel,start_time,stop_time,label,confidence` rows). Seizure rows become events; background rows
 * are dropped (the scorers fill background themselves). A label in neither list is an error, as
 * in NEDC, whose map must name every symbol.
 */
export function parseCsvBi(text: string, options: ParseCsvBiOptions = {}): CsvBiAnnotation {
  const file = options.file ?? 'csv_bi';
  const seizure = new Set((options.seizureLabels ?? ['seiz']).map((l) => l.toLowerCase()));
  const background = new Set((options.backgroundLabels ?? ['bckg']).map((l) => l.toLowerCase()));
  let duration: number | undefined;
  const seizures: Interval[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const lineNo = index + 1;
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^#\s*duration\s*=\s*([0-9.eE+-]+)\s*(secs?)?\s*$/i.exec(line);
      if (match) duration = Number(match[1]);
      return;
    }
    const fields = line.split(',').map((f) => f.trim());
    if (fields[0]?.toLowerCase() === 'channel') return;
    if (fields.length < 4) {
      throw new PipelineError('E_INPUT', `line ${lineNo}: expected channel,start_time,stop_time,label[,confidence], got '${line}'`, {
        file,
        field: `line ${lineNo}`,
      });
    }
    const start = Number(fields[1]);
    const stop = Number(fields[2]);
    const label = fields[3]!.toLowerCase();
    if (!Number.isFinite(start) || !Number.isFinite(stop)) {
      throw new PipelineError('E_INPUT', `line ${lineNo}: start/stop '${fields[1]}', '${fields[2]}' are not numbers`, {
        file,
        field: `line ${lineNo}`,
      });
    }
    if (seizure.has(label)) seizures.push([start, stop]);
    else if (!background.has(label)) {
      throw new PipelineError('E_INPUT', `line ${lineNo}: label '${fields[3]}' is neither a seizure nor a background label`, {
        file,
        field: `line ${lineNo}`,
        hint: 'pass it in seizureLabels or backgroundLabels',
      });
    }
  });
  if (duration === undefined || !(duration > 0)) {
    throw new PipelineError('E_INPUT', "missing or invalid '# duration = D secs' header", { file, field: 'duration' });
  }
  return { duration, seizures };
}

/**
 * Writes seizure events as a `.csv_bi` file NEDC's scorer reads (channel `TERM`, 4 decimals,
 * confidence 1). Background is left implicit: NEDC fills the gaps.
 */
export function formatCsvBi(seizures: readonly Interval[], duration: number, options: { readonly name?: string } = {}): string {
  const lines = [
    '# version = csv_v1.0.0',
    `# bname = ${options.name ?? 'recording'}`,
    `# duration = ${formatFixed(duration, 2)} secs`,
    '#',
    'channel,start_time,stop_time,label,confidence',
    ...seizures.map(([s, e]) => `TERM,${formatFixed(s, 4)},${formatFixed(e, 4)},seiz,1.0000`),
  ];
  return `${lines.join('\n')}\n`;
}
