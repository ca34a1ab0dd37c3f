import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PipelineError } from '@pipeline/core';
import type { TrialLog } from '@pipeline/model-selection';
import type { RunDirectory } from './run-directory.js';
import { RUN_FILES } from './run-files.js';

/**
 * The trial log of a hyper-parameter search kept in a run folder (`opt/trials.jsonl`, see
 * RUN_FORMAT.md): one JSON line per finished trial, each appended with a single `O_APPEND` write
 * (a crash leaves at most one torn last line, which reading drops). A run without the file reads as
 * an empty log.
 */
export function runTrialLog(run: RunDirectory): TrialLog {
  const file = run.path(RUN_FILES.optTrials);
  return {
    async read() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new PipelineError('E_INPUT', 'cannot read the trial log', { file, cause: error });
      }
      // Loaded here, not at the top: the search code (zod, yaml) stays out of `pipeline runs list`'s start-up.
      const { parseTrialLog } = await import('@pipeline/model-selection');
      return parseTrialLog(text, file);
    },
    async append(record) {
      await mkdir(dirname(file), { recursive: true });
      const { formatTrialRecord } = await import('@pipeline/model-selection');
      await appendFile(file, formatTrialRecord(record), { encoding: 'utf8', flag: 'a' });
    },
  };
}

/** The trials of a run's search (`opt/trials.jsonl`), in number order; [] when the run has no search. */
export async function readRunTrials(run: RunDirectory) {
  return (await runTrialLog(run).read()).sort((a, b) => a.number - b.number);
}
