import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PipelineError, resolveContext, throwIfAborted, type FitContext } from '@pipeline/core';
import { EdfReader } from './edf-reader.js';
import { readSeizureAnnotations } from './read-seizure-annotations.js';
import { createWindowSet, type LabeledRecording, type WindowOptions } from './create-window-set.js';
import { preprocessEdf, resolvePreprocessOptions, type PreprocessedRecording, type PreprocessOptions } from './preprocess.js';
import type { WindowSet } from './window-set.js';

/** One recording of a data folder. */
export interface SeizureRecordingInfo {
  /** The EDF file stem without a BIDS `_eeg` suffix; also the stem of the events file `predict` writes. */
  readonly id: string;
  readonly edfPath: string;
  /** The events TSV or csv_bi beside the EDF, or `null` when there is none (only with `requireAnnotations: false`). */
  readonly annotationPath: string | null;
  /** The BIDS subject (`sub-XX` in the file name), or `null`. */
  readonly subject: string | null;
  /** From the EDF. */
  readonly durationSec: number;
  /** Reference seizures `[start, stop)` in seconds (empty without annotations). */
  readonly seizures: ReadonlyArray<readonly [number, number]>;
  /** Start of the recording from the EDF header. */
  readonly start: Date | null;
}

export interface LoadSeizureDataOptions extends FitContext {
  /** Fail when an EDF has no annotation file beside it (default true; `predict` passes false). */
  readonly requireAnnotations?: boolean;
  /** Preprocessing applied by `windowSet` and `preprocess`. */
  readonly preprocess?: PreprocessOptions;
  /** Look into sub-folders (BIDS layout). Default true. */
  readonly recursive?: boolean;
  /** Keep preprocessed recordings in memory between `windowSet` calls. Default true. */
  readonly cache?: boolean;
}

export interface WindowSetRequest extends WindowOptions {
  /** Recording ids to include (default all), e.g. one side of {@link splitRecordings}. */
  readonly ids?: readonly string[];
}

/** A data folder: its recordings, and window sets built from them on demand. */
export interface SeizureData {
  readonly dir: string;
  readonly recordings: readonly SeizureRecordingInfo[];
  /** Preprocesses the requested recordings (streaming each EDF) and returns a lazy window set. */
  windowSet(request?: WindowSetRequest): Promise<WindowSet>;
  /** One preprocessed recording. */
  preprocess(id: string): Promise<PreprocessedRecording>;
}

/**
 * Scans a folder for `NAME.edf` (or BIDS `…_eeg.edf`) with annotations beside it in
 * `NAME_events.tsv` (BIDS: `…_events.tsv`) or `NAME.csv_bi`, reads every EDF header and annotation
 * file, and returns the recordings plus a `windowSet` factory. Bad files → `PipelineError('E_INPUT')`
 * naming the file; a missing folder → `E_NOT_FOUND`.
 */
export async function loadSeizureData(dir: string, options: LoadSeizureDataOptions = {}): Promise<SeizureData> {
  const context = resolveContext(options);
  const requireAnnotations = options.requireAnnotations ?? true;
  const preprocessOptions = resolvePreprocessOptions(options.preprocess);
  let edfs: string[];
  try {
    edfs = await findEdfs(dir, options.recursive ?? true);
  } catch (cause) {
    throw new PipelineError('E_NOT_FOUND', 'cannot read the data folder', { file: dir, cause });
  }
  if (edfs.length === 0) throw new PipelineError('E_INPUT', 'no .edf files in the data folder', { file: dir, hint: 'expected NAME.edf with NAME_events.tsv or NAME.csv_bi beside it' });
  const recordings: SeizureRecordingInfo[] = [];
  const seen = new Map<string, string>();
  for (const edfPath of edfs) {
    throwIfAborted(context.signal, 'loading seizure data');
    const stem = basename(edfPath).replace(/\.edf$/i, '');
    const id = stem.replace(/_eeg$/, '');
    const previous = seen.get(id);
    if (previous !== undefined) throw new PipelineError('E_INPUT', `recording id '${id}' is used by ${previous} and ${edfPath}`, { file: edfPath, hint: 'rename one of them' });
    seen.set(id, edfPath);
    const folder = edfPath.slice(0, edfPath.length - basename(edfPath).length);
    const candidates = [join(folder, `${id}_events.tsv`), join(folder, `${stem}_events.tsv`), join(folder, `${stem}.csv_bi`), join(folder, `${id}.csv_bi`)];
    let annotationPath: string | null = null;
    for (const c of candidates) {
      if (await isFile(c)) {
        annotationPath = c;
        break;
      }
    }
    if (annotationPath === null && requireAnnotations) {
      throw new PipelineError('E_INPUT', 'no annotation file beside the EDF', { file: edfPath, hint: `add ${basename(candidates[0]!)} or ${stem}.csv_bi` });
    }
    const reader = await EdfReader.open(edfPath);
    let durationSec: number;
    let start: Date | null;
    try {
      durationSec = await reader.durationSec();
      start = reader.header.start;
    } finally {
      await reader.close();
    }
    let seizures: ReadonlyArray<readonly [number, number]> = [];
    if (annotationPath !== null) {
      seizures = (await readSeizureAnnotations(annotationPath)).seizures;
      for (const [s, e] of seizures) {
        if (!(e > s) || s < 0 || s > durationSec + 1e-6) {
          throw new PipelineError('E_INPUT', `seizure [${s}, ${e}] s is empty or outside the ${durationSec} s recording`, { file: annotationPath, field: 'onset' });
        }
      }
    }
    const subject = /(?:^|_)sub-([A-Za-z0-9]+)/.exec(stem)?.[1] ?? null;
    recordings.push({ id, edfPath, annotationPath, subject: subject === null ? null : `sub-${subject}`, durationSec, seizures, start });
  }
  recordings.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byId = new Map(recordings.map((r) => [r.id, r]));
  const cache = new Map<string, PreprocessedRecording>();
  const keep = options.cache ?? true;

  const preprocess = async (id: string): Promise<PreprocessedRecording> => {
    const info = byId.get(id);
    if (info === undefined) throw new PipelineError('E_NOT_FOUND', `no recording '${id}'`, { file: dir, field: 'ids' });
    const cached = cache.get(id);
    if (cached) return cached;
    const result = await preprocessEdf(info.edfPath, id, preprocessOptions);
    if (keep) cache.set(id, result);
    return result;
  };

  return {
    dir,
    recordings,
    preprocess,
    async windowSet(request: WindowSetRequest = {}): Promise<WindowSet> {
      const ids = request.ids ?? recordings.map((r) => r.id);
      const labeled: LabeledRecording[] = [];
      let done = 0;
      for (const id of ids) {
        throwIfAborted(context.signal, 'preprocessing');
        const p = await preprocess(id);
        labeled.push({ ...p, seizures: byId.get(id)!.seizures });
        context.onProgress({ stage: 'preprocess', current: ++done, total: ids.length, label: id });
      }
      context.logger.debug('window set ready', { recordings: ids.length });
      return createWindowSet(labeled, request);
    },
  };
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function findEdfs(dir: string, recursive: boolean): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && recursive && !entry.name.startsWith('.')) out.push(...(await findEdfs(path, true)));
    else if (entry.isFile() && /\.edf$/i.test(entry.name)) out.push(path);
  }
  return out;
}
