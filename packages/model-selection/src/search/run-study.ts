import { deriveSeed, PipelineError, resolveContext, type Logger, type ProgressCallback } from '@pipeline/core';
import { canonicalJson } from '../bytes.js';
import { createPruner, createSampler, type PrunerSpec, type SamplerSpec } from './create-sampler.js';
import type { Pruner } from './pruner.js';
import { paramsToPatch, type Params, type SearchSpace } from './search-space.js';
import type { TrialLog } from './trial-log.js';
import { isBetter, runningScores, type Direction, type TrialRecord, type TrialState } from './trial-record.js';

/** What the objective receives for one trial. */
export interface TrialContext {
  /** 0-based trial number. */
  readonly number: number;
  /** The proposed params (active ones only), keyed `target.argument`. */
  readonly params: Params;
  /** The same params as a config patch: `{ hgb: { learningRate: … }, meta: { C: … } }`. */
  readonly patch: ReturnType<typeof paramsToPatch>;
  /** A seed for the trial's own random choices: `deriveSeed(studySeed, 'trial', number)`. */
  readonly seed: number;
  /** Aborted when the study is interrupted or when this trial is pruned (reason: 'pruned'). */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /**
   * Reports the next fold's score (fold 0, 1, … in order). Returns true when the pruner stops the
   * trial: the objective should return promptly (whatever it returns, the trial is logged as pruned).
   */
  report(foldScore: number): boolean;
}

/** What an objective may return instead of a bare score. */
export interface ObjectiveResult {
  /** The trial's score (e.g. OOF accuracy). */
  readonly score: number;
  /** Per-fold scores, when they were not reported one at a time. */
  readonly foldScores?: readonly number[];
  /** Plain JSON kept in the trial's log line. */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** Evaluates one trial: resolves with its score; a throw marks the trial failed (the study goes on). */
export type Objective = (trial: TrialContext) => Promise<number | ObjectiveResult>;

/** Options of {@link runStudy}. */
export interface StudyOptions {
  readonly space: SearchSpace;
  readonly objective: Objective;
  /** Total trials of the study (logged trials of a resumed study count). */
  readonly nTrials: number;
  /** Default 'maximize'. */
  readonly direction?: Direction;
  /** Default 'tpe'. */
  readonly sampler?: SamplerSpec;
  /** Default 'none'. */
  readonly pruner?: PrunerSpec;
  /** Start no new trial after this many milliseconds (running ones finish). */
  readonly timeoutMs?: number;
  /** Trials run at once. Default 1. See {@link runStudy} for how results stay reproducible. */
  readonly parallel?: number;
  /** Where finished trials are appended (and read back on resume). */
  readonly log?: TrialLog;
  /** Replay `log` first: its trials are not run again and the sampler state is restored. */
  readonly resume?: boolean;
  /** Default 0. */
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  readonly onProgress?: ProgressCallback;
}

/** Content of `opt/best_params.json`. */
export interface BestParams {
  readonly trial: number;
  readonly params: Params;
  readonly patch: ReturnType<typeof paramsToPatch>;
}

/** Content of `opt/best_score.json`. */
export interface BestScore {
  readonly trial: number;
  readonly score: number;
  readonly foldScores: readonly number[];
  readonly direction: Direction;
}

/** What {@link runStudy} returns. */
export interface StudyResult {
  /** Every finished trial (replayed and new), by number. */
  readonly trials: readonly TrialRecord[];
  /** The best complete trial, or null if none completed. */
  readonly best: TrialRecord | null;
  readonly bestParams: BestParams | null;
  readonly bestScore: BestScore | null;
  /** Trials run in this call (not replayed). */
  readonly ran: number;
  /** Why the study stopped. */
  readonly stoppedBy: 'trials' | 'timeout';
}

interface Settled {
  readonly record: TrialRecord;
}

/**
 * Runs a hyper-parameter search.
 *
 * **Reproducibility with `parallel: N`.** Trial k is proposed only once every trial numbered below
 * k − N + 1 has finished; the sampler then has seen exactly those trials (told in number order)
 * and gets the params of trials k − N + 1 … k − 1 as `pending` (TPE's constant liar counts them as
 * bad observations); the trial's pruner likewise sees exactly trials < k − N + 1. So proposals and
 * pruning decisions depend on the seed and the objective's scores only, never on timing: the same
 * seed gives the same trials for any machine load (a slow trial delays trial k + N − 1 instead of
 * being overtaken). `parallel: 1` is the usual sequential search (trial k sees every trial < k).
 * Only `timeoutMs` depends on time (it decides how many trials run, not which).
 *
 * **Resume.** Logged trials are replayed through the same schedule: when trial k comes up and
 * the log has it, its params must equal the fresh proposal (else `E_STATE`: another space, sampler
 * or seed wrote the log) and its logged outcome is used without running it. Hence a resumed study
 * proposes exactly the trials an uninterrupted one would; trials missing from the log (in flight
 * at the interruption) are run again.
 *
 * A trial whose objective throws is logged `failed` with the error message, and the search goes on.
 * Aborting `signal` aborts the running trials' signals, waits for them, and rejects with
 * `E_ABORTED`; trials that finished before are in the log.
 */
export async function runStudy(options: StudyOptions): Promise<StudyResult> {
  const { space, objective, nTrials } = options;
  const direction = options.direction ?? 'maximize';
  const parallel = options.parallel ?? 1;
  const seed = options.seed ?? 0;
  const { logger, onProgress, signal } = resolveContext(options);
  if (!(Number.isInteger(nTrials) && nTrials >= 0)) throw new PipelineError('E_USAGE', `nTrials must be an integer >= 0, got ${nTrials}`, { field: 'nTrials' });
  if (!(Number.isInteger(parallel) && parallel >= 1)) throw new PipelineError('E_USAGE', `parallel must be an integer >= 1, got ${parallel}`, { field: 'parallel' });
  if (direction !== 'maximize' && direction !== 'minimize') throw new PipelineError('E_USAGE', `direction must be maximize or minimize, got ${String(direction)}`, { field: 'direction' });
  const samplerSpec = options.sampler ?? 'tpe';
  const prunerSpec = options.pruner ?? 'none';
  const sampler = createSampler(samplerSpec, { space, direction, seed });
  createPruner(prunerSpec, { direction }); // validate the spec before any trial runs

  const logged = new Map<number, TrialRecord>();
  if (options.resume === true) {
    if (options.log === undefined) throw new PipelineError('E_USAGE', 'resume needs a trial log', { field: 'resume' });
    for (const record of await options.log.read()) logged.set(record.number, record);
  }

  const started = performance.now();
  const finished = new Map<number, TrialRecord>();
  const proposals: Params[] = [];
  const running = new Map<number, { promise: Promise<Settled>; controller: AbortController }>();
  let told = 0; // trials < told have been told to the sampler
  let next = 0;
  let ran = 0;
  let stoppedBy: 'trials' | 'timeout' = 'trials';
  let fatal: unknown;

  const tellUpTo = (limit: number): void => {
    while (told < limit) {
      const record = finished.get(told);
      if (record === undefined) throw new PipelineError('E_INTERNAL', `trial ${told} should have finished before trial ${limit + parallel - 1} was proposed`);
      sampler.tell(record);
      told++;
    }
  };

  /** A pruner that has seen exactly the trials < visible. */
  const prunerFor = (visible: number): Pruner => {
    const pruner = createPruner(prunerSpec, { direction });
    if (pruner.name !== 'none') for (let i = 0; i < visible; i++) pruner.tell(finished.get(i)!);
    return pruner;
  };

  const finish = async (record: TrialRecord, fresh: boolean): Promise<void> => {
    finished.set(record.number, record);
    if (fresh) {
      ran++;
      if (options.log !== undefined) await options.log.append(record);
      logger.info('trial finished', { number: record.number, state: record.state, score: record.score, ...(record.error === undefined ? {} : { error: record.error }) });
    }
    onProgress({ stage: 'trial', current: finished.size, total: nTrials, label: `trial ${record.number}`, message: record.state });
  };

  const runTrial = async (number: number, params: Params, visible: number, controller: AbortController): Promise<Settled> => {
    const pruner = prunerFor(visible);
    const foldScores: number[] = [];
    let pruned = false;
    const context: TrialContext = {
      number,
      params,
      patch: paramsToPatch(params),
      seed: deriveSeed(seed, 'trial', number),
      signal: controller.signal,
      logger,
      report(foldScore: number): boolean {
        if (pruned) return true;
        foldScores.push(foldScore);
        if (pruner.shouldPrune(foldScores)) {
          pruned = true;
          controller.abort('pruned');
        }
        return pruned;
      },
    };
    const start = performance.now();
    let state: TrialState;
    let score: number | null = null;
    let error: string | undefined;
    let attributes: Readonly<Record<string, unknown>> | undefined;
    try {
      const result = await objective(context);
      const value = typeof result === 'number' ? { score: result } : result;
      if (!pruned) {
        if (foldScores.length === 0 && value.foldScores !== undefined) foldScores.push(...value.foldScores);
        if (typeof value.score !== 'number' || !Number.isFinite(value.score)) throw new Error(`the objective returned a non-finite score (${String(value.score)})`);
        score = value.score;
      }
      attributes = value.attributes;
      state = pruned ? 'pruned' : 'complete';
    } catch (caught) {
      if (signal?.aborted === true) throw caught;
      if (pruned) state = 'pruned';
      else {
        state = 'failed';
        error = caught instanceof Error ? caught.message : String(caught);
        logger.warn('trial failed', { number, error });
      }
    }
    if (state === 'pruned') {
      const running = runningScores(foldScores.filter(Number.isFinite));
      score = running.length > 0 ? running[running.length - 1]! : null;
    }
    const record: TrialRecord = {
      number,
      params,
      state,
      score,
      foldScores: foldScores.filter(Number.isFinite),
      ...(error === undefined ? {} : { error }),
      durationMs: Math.round((performance.now() - start) * 1000) / 1000,
      ...(attributes === undefined ? {} : { attributes }),
    };
    return { record };
  };

  const onAbort = (): void => {
    for (const { controller } of running.values()) controller.abort(signal?.reason ?? 'aborted');
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    while (fatal === undefined) {
      // Launch every trial whose window is complete (a failure here stops the study after the running trials settle).
      try {
        while (next < nTrials && signal?.aborted !== true && fatal === undefined) {
          const visible = Math.max(0, next - parallel + 1);
          let ready = true;
          for (let i = told; i < visible; i++) if (!finished.has(i)) ready = false;
          if (!ready) break;
          if (options.timeoutMs !== undefined && performance.now() - started >= options.timeoutMs && !logged.has(next)) {
            stoppedBy = 'timeout';
            break;
          }
          tellUpTo(visible);
          const pending = proposals.slice(visible, next);
          const params = sampler.ask(next, pending);
          proposals[next] = params;
          const number = next++;
          const replay = logged.get(number);
          if (replay !== undefined) {
            if (canonicalJson(replay.params) !== canonicalJson(params)) {
              throw new PipelineError('E_STATE', `trial ${number} in the log has other params than this search proposes`, {
                field: `trials[${number}].params`,
                hint: 'resume with the same search space, sampler, seed and parallel setting, or start a new search',
              });
            }
            await finish(replay, false);
            continue;
          }
          const controller = new AbortController();
          const promise = runTrial(number, params, visible, controller);
          running.set(number, { promise, controller });
        }
      } catch (error) {
        fatal ??= error;
      }
      if (running.size === 0 || fatal !== undefined) break;
      // Wait for the next trial to finish (any of them).
      const settled = await Promise.race([...running.entries()].map(([number, entry]) => entry.promise.then((s) => ({ number, s }), (e: unknown) => ({ number, e }))));
      running.delete(settled.number);
      if ('e' in settled) {
        fatal ??= settled.e;
        continue;
      }
      try {
        await finish(settled.s.record, true);
      } catch (error) {
        fatal ??= error;
      }
    }
    if (fatal !== undefined || signal?.aborted === true) {
      onAbort();
      await Promise.allSettled([...running.values()].map((entry) => entry.promise));
      if (fatal !== undefined && signal?.aborted !== true) throw fatal;
      throw new PipelineError('E_ABORTED', 'the search was interrupted', { cause: signal?.reason, hint: 'resume it from its trial log' });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }

  const trials = [...finished.values()].sort((a, b) => a.number - b.number);
  let best: TrialRecord | null = null;
  for (const trial of trials) {
    if (trial.state !== 'complete' || trial.score === null) continue;
    if (best === null || isBetter(trial.score, best.score!, direction)) best = trial;
  }
  return {
    trials,
    best,
    bestParams: best === null ? null : { trial: best.number, params: best.params, patch: paramsToPatch(best.params) },
    bestScore: best === null ? null : { trial: best.number, score: best.score!, foldScores: best.foldScores, direction },
    ran,
    stoppedBy,
  };
}
