import { PipelineError } from '@pipeline/core';

/** One EDF+ annotation: onset in seconds from the file start (may be negative), optional duration, text. */
export interface EdfAnnotation {
  readonly onset: number;
  /** Seconds, or `null` when the TAL has no duration. */
  readonly duration: number | null;
  readonly text: string;
}

/** The TALs of one annotation signal in one data record. */
export interface RecordTals {
  /** Onset of the record from the time-keeping TAL (the first TAL with an empty first text), if present. */
  readonly recordOnset: number | null;
  /** Every annotation text of every TAL, in order, time-keeping TAL excluded. */
  readonly annotations: EdfAnnotation[];
}

const ONSET = /^[+-](\d+\.?\d*|\.\d+)$/;
const DURATION = /^(\d+\.?\d*|\.\d+)$/;
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Parses the Time-stamped Annotations Lists of one annotation signal in one record:
 * `+onset[\x15duration]\x14text\x14…\x14\x00`, repeated, then `\x00` padding. `where` names the record
 * and signal for errors (e.g. `record[3].signal[19]`). With `timekeeping`, the first TAL must be the
 * record's time-keeping TAL (`+onset\x14\x14`).
 */
export function parseTals(bytes: Uint8Array, file: string, where: string, timekeeping: boolean): RecordTals {
  const fail = (message: string): never => {
    throw new PipelineError('E_INPUT', message, { file, field: `${where}.annotations` });
  };
  const annotations: EdfAnnotation[] = [];
  let recordOnset: number | null = null;
  let pos = 0;
  let first = true;
  while (pos < bytes.length && bytes[pos] !== 0) {
    let end = bytes.indexOf(0, pos);
    if (end < 0) fail(`TAL at byte ${pos} is not terminated by \\0`);
    const tal = bytes.subarray(pos, end);
    // Header up to the first \x14.
    const headEnd = tal.indexOf(0x14);
    if (headEnd < 0) fail(`TAL at byte ${pos} has no \\x14 after its onset`);
    const head = tal.subarray(0, headEnd);
    const split = head.indexOf(0x15);
    const onsetText = decoder.decode(split < 0 ? head : head.subarray(0, split));
    if (!ONSET.test(onsetText)) fail(`TAL at byte ${pos}: onset '${visible(onsetText)}' is not '+seconds' or '-seconds'`);
    const onset = Number(onsetText) + 0; // -0 → 0
    if (!Number.isFinite(onset)) fail(`TAL at byte ${pos}: onset '${visible(onsetText)}' is out of range`);
    let duration: number | null = null;
    if (split >= 0) {
      const durationText = decoder.decode(head.subarray(split + 1));
      if (!DURATION.test(durationText)) fail(`TAL at byte ${pos}: duration '${visible(durationText)}' is not a non-negative number`);
      duration = Number(durationText);
      if (!Number.isFinite(duration)) fail(`TAL at byte ${pos}: duration '${visible(durationText)}' is out of range`);
    }
    // Texts: each followed by \x14; the TAL body must end with \x14.
    if (tal[tal.length - 1] !== 0x14) fail(`TAL at byte ${pos} does not end with \\x14 before its \\0`);
    const texts: string[] = [];
    let start = headEnd + 1;
    while (start < tal.length) {
      const stop = tal.indexOf(0x14, start);
      texts.push(decoder.decode(tal.subarray(start, stop)));
      start = stop + 1;
    }
    if (first && timekeeping) {
      if (texts.length === 0 || texts[0] !== '') fail(`first TAL '${visible(decoder.decode(tal))}' is not a time-keeping TAL (+onset\\x14\\x14)`);
      recordOnset = onset;
      texts.shift();
    }
    for (const text of texts) if (text !== '') annotations.push({ onset, duration, text });
    first = false;
    pos = end + 1;
  }
  for (; pos < bytes.length; pos++) {
    if (bytes[pos] !== 0) fail(`byte ${pos} after the last TAL is not \\0 padding`);
  }
  if (timekeeping && recordOnset === null) fail('record has no time-keeping TAL');
  return { recordOnset, annotations };
}

/** Formats seconds for a TAL: plain decimal notation, no exponent, at most 7 decimals. */
export function formatTalSeconds(value: number, signed: boolean): string {
  if (!Number.isFinite(value)) throw new RangeError(`TAL time ${value} is not finite`);
  let text = Math.abs(value).toFixed(7).replace(/0+$/, '').replace(/\.$/, '');
  if (text === '') text = '0';
  if (!signed) return text;
  return `${value < 0 && text !== '0' ? '-' : '+'}${text}`;
}

/** Encodes one TAL: `+onset[\x15duration]\x14text\x14…\x00`. An empty `texts` list gives a time-keeping TAL. */
export function encodeTal(onset: number, duration: number | null, texts: readonly string[]): Uint8Array {
  let head = formatTalSeconds(onset, true);
  if (duration !== null) head += `\x15${formatTalSeconds(duration, false)}`;
  const body = texts.length === 0 ? '\x14\x14' : `\x14${texts.map((t) => `${t}\x14`).join('')}`;
  for (const t of texts) if (/[\x00\x14\x15]/.test(t)) throw new RangeError(`annotation text contains a TAL control byte: ${JSON.stringify(t)}`);
  return new TextEncoder().encode(`${head}${body}\x00`);
}

function visible(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).slice(0, 60);
}
