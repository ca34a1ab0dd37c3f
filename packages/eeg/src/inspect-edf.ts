import { EdfReader } from './edf-reader.js';
import type { EdfAnnotation } from './tal.js';

/** What `pipeline inspect rec.edf` shows. */
export interface EdfInspection {
  readonly file: string;
  readonly header: {
    readonly format: 'edf' | 'edf+c' | 'edf+d';
    readonly patient: string;
    readonly recording: string;
    /** ISO 8601, or `null` when the header's date/time fields do not parse. */
    readonly start: string | null;
    readonly numberOfDataRecords: number;
    readonly recordDurationSec: number;
    readonly numberOfSignals: number;
  };
  /** Ordinary signals (the annotation signal is summarized in `annotations`). */
  readonly channels: ReadonlyArray<{
    readonly label: string;
    readonly sampleRate: number;
    readonly physicalMin: number;
    readonly physicalMax: number;
    readonly unit: string;
    readonly digitalMin: number;
    readonly digitalMax: number;
    readonly transducer: string;
    readonly prefiltering: string;
  }>;
  readonly durationSec: number;
  readonly annotations: readonly EdfAnnotation[];
}

/** Reads an EDF/EDF+ header and its annotations (streaming the records for the TALs). */
export async function inspectEdf(path: string): Promise<EdfInspection> {
  const reader = await EdfReader.open(path);
  try {
    const h = reader.header;
    return {
      file: path,
      header: {
        format: h.format,
        patient: h.patient,
        recording: h.recording,
        start: h.start === null ? null : h.start.toISOString(),
        numberOfDataRecords: h.numberOfDataRecords,
        recordDurationSec: h.recordDurationSec,
        numberOfSignals: h.numberOfSignals,
      },
      channels: reader.dataSignals.map((s) => ({
        label: s.label,
        sampleRate: s.sampleRate,
        physicalMin: s.physicalMin,
        physicalMax: s.physicalMax,
        unit: s.unit,
        digitalMin: s.digitalMin,
        digitalMax: s.digitalMax,
        transducer: s.transducer,
        prefiltering: s.prefiltering,
      })),
      durationSec: await reader.durationSec(),
      annotations: await reader.annotations(),
    };
  } finally {
    await reader.close();
  }
}

function hms(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s - 3600 * h - 60 * m;
  return `${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${rest.toFixed(3).padStart(6, '0')}`;
}

/** Plain-text rendering for the CLI (stdout). `maxAnnotations` limits the listed annotations (default 50). */
export function renderEdfInspection(info: EdfInspection, options: { readonly maxAnnotations?: number } = {}): string {
  const h = info.header;
  const lines = [
    `file        ${info.file}`,
    `format      ${h.format.toUpperCase()}`,
    `start       ${h.start ?? 'unknown'}`,
    `duration    ${hms(info.durationSec)} (${info.durationSec} s, ${h.numberOfDataRecords} records × ${h.recordDurationSec} s)`,
    `patient     ${h.patient}`,
    `recording   ${h.recording}`,
    `channels    ${info.channels.length}`,
    '',
  ];
  const rows = [['#', 'label', 'rate (Hz)', 'physical min', 'physical max', 'unit'], ...info.channels.map((c, i) => [String(i), c.label, String(c.sampleRate), String(c.physicalMin), String(c.physicalMax), c.unit])];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  for (const r of rows) lines.push(r.map((cell, col) => (col >= 2 && col <= 4 ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!))).join('  ').trimEnd());
  lines.push('', `annotations ${info.annotations.length}`);
  const max = options.maxAnnotations ?? 50;
  for (const a of info.annotations.slice(0, max)) lines.push(`  ${hms(a.onset)}  ${a.duration === null ? '-'.padStart(9) : `${a.duration.toFixed(3)} s`.padStart(9)}  ${a.text}`);
  if (info.annotations.length > max) lines.push(`  … ${info.annotations.length - max} more`);
  return `${lines.join('\n')}\n`;
}
