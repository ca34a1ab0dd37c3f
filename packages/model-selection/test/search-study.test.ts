import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { isPipelineError } from '@pipeline/core';
import {
  jsonlTrialLog,
  median,
  memoryTrialLog,
  parseTrialLog,
  runningScores,
  runStudy,
  searchSpace,
  type Objective,
  type TrialRecord,
} from '@pipeline/model-selection';

const dir = mkdtempSync(join(tmpdir(), 'search-study-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPACE = searchSpace({
  'hgb.learningRate': { type: 'log-uniform', low: 0.01, high: 0.3 },
  'hgb.maxLeafNodes': { type: 'int', low: 8, high: 64 },
  'meta.C': { type: 'log-uniform', low: 1e-3, high: 1e2 },
});

/** A deterministic "accuracy" peaking at learningRate 0.1, 31 leaves, C = 1, with per-fold offsets. */
function foldScores(params: Record<string, unknown>, folds = 5): number[] {
  const lr = params['hgb.learningRate'] as number;
  const leaves = params['hgb.maxLeafNodes'] as number;
  const c = params['meta.C'] as number;
  const base = 0.9 - 0.05 * Math.log(lr / 0.1) ** 2 - 0.0001 * (leaves - 31) ** 2 - 0.01 * Math.log10(c) ** 2;
  return Array.from({ length: folds }, (_, k) => base + 0.01 * (k - 2));
}

const cvObjective: Objective = async (trial) => {
  const scores = foldScores(trial.params as Record<string, unknown>);
  for (const score of scores) {
    if (trial.report(score)) return { score: Number.NaN };
  }
  return scores.reduce((a, b) => a + b, 0) / scores.length;
};

const strip = (trials: readonly TrialRecord[]) => trials.map(({ durationMs: _d, ...rest }) => rest);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runStudy', () => {
  it('runs trials, logs one JSON line per finished trial and returns the best params and score', async () => {
    const log = memoryTrialLog();
    const result = await runStudy({ space: SPACE, sampler: 'tpe', nTrials: 15, seed: 3, objective: cvObjective, log });
    expect(result.trials.map((t) => t.number)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(log.lines).toHaveLength(15);
    expect(log.lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    expect(strip(parseTrialLog(log.lines.join('')))).toEqual(strip(result.trials));
    const best = result.trials.reduce((a, b) => (b.score! > a.score! ? b : a));
    expect(result.best?.number).toBe(best.number);
    expect(result.bestScore).toEqual({ trial: best.number, score: best.score, foldScores: best.foldScores, direction: 'maximize' });
    expect(result.bestParams?.params).toEqual(best.params);
    expect(result.bestParams?.patch).toEqual({
      hgb: { learningRate: best.params['hgb.learningRate'], maxLeafNodes: best.params['hgb.maxLeafNodes'] },
      meta: { C: best.params['meta.C'] },
    });
    for (const trial of result.trials) {
      expect(trial.state).toBe('complete');
      expect(trial.foldScores).toEqual(foldScores(trial.params as Record<string, unknown>));
      expect(trial.score).toBeCloseTo(trial.foldScores.reduce((a, b) => a + b, 0) / 5, 12);
    }
  });

  it('logs a failing trial as failed with its error and goes on', async () => {
    const log = memoryTrialLog();
    const result = await runStudy({
      space: SPACE,
      sampler: 'random',
      nTrials: 6,
      seed: 1,
      log,
      objective: async (trial) => {
        if (trial.number === 2) throw new Error('out of memory in fold 3');
        if (trial.number === 4) return Number.NaN;
        return cvObjective(trial);
      },
    });
    expect(result.trials.map((t) => t.state)).toEqual(['complete', 'complete', 'failed', 'complete', 'failed', 'complete']);
    expect(result.trials[2]).toMatchObject({ state: 'failed', score: null, error: 'out of memory in fold 3' });
    expect(result.trials[4]!.error).toMatch(/non-finite score/);
    expect(JSON.parse(log.lines[2]!)).toMatchObject({ number: 2, state: 'failed', error: 'out of memory in fold 3' });
    expect(result.best?.state).toBe('complete');
  });

  it('median pruner: stops trials fold by fold, logs them as pruned, and every decision matches the rule', async () => {
    const log = memoryTrialLog();
    let foldsRun = 0;
    const result = await runStudy({
      space: SPACE,
      sampler: 'random',
      pruner: 'median',
      nTrials: 30,
      seed: 4,
      log,
      objective: async (trial) => {
        const scores = foldScores(trial.params as Record<string, unknown>);
        for (const score of scores) {
          foldsRun++;
          if (trial.report(score)) return 0;
        }
        return scores.reduce((a, b) => a + b, 0) / 5;
      },
    });
    const pruned = result.trials.filter((t) => t.state === 'pruned');
    expect(pruned.length).toBeGreaterThan(5);
    expect(foldsRun).toBe(result.trials.reduce((n, t) => n + t.foldScores.length, 0));
    expect(foldsRun).toBeLessThan(30 * 5);
    for (const line of log.lines) {
      const record = JSON.parse(line) as TrialRecord;
      expect(record.state).toBe(result.trials[record.number]!.state);
    }
    // Recompute each decision: after fold k the trial stops iff ≥ 5 trials completed before it and its best
    // running score over folds 0..k is below the median of the completed trials' running scores at fold k.
    for (const trial of result.trials) {
      const completed = result.trials.filter((t) => t.number < trial.number && t.state === 'complete');
      const running = runningScores(foldScores(trial.params as Record<string, unknown>));
      let prunedAt: number | null = null;
      if (completed.length >= 5) {
        for (let k = 0; k < 5 && prunedAt === null; k++) {
          const m = median(completed.map((t) => runningScores(t.foldScores)[k]!));
          if (Math.max(...running.slice(0, k + 1)) < m) prunedAt = k + 1;
        }
      }
      expect([trial.number, trial.state, trial.foldScores.length]).toEqual([trial.number, prunedAt === null ? 'complete' : 'pruned', prunedAt ?? 5]);
      if (trial.state === 'pruned') expect(trial.score).toBeCloseTo(running[trial.foldScores.length - 1]!, 12);
    }
  });

  it('paired (Wilcoxon) pruner: minimising log-loss, a trial worse than the best on 4 of 4 folds stops after fold 4', async () => {
    // Trial 0 is the best (lowest loss on every fold); later trials are worse on every fold by their number.
    const losses = (n: number) => [0.3, 0.35, 0.32, 0.31, 0.34].map((v) => v + 0.01 * n);
    const result = await runStudy({
      space: SPACE,
      sampler: 'random',
      pruner: 'paired',
      direction: 'minimize',
      nTrials: 4,
      seed: 0,
      objective: async (trial) => {
        for (const loss of losses(trial.number)) if (trial.report(loss)) return 1;
        return losses(trial.number).reduce((a, b) => a + b, 0) / 5;
      },
    });
    expect(result.trials.map((t) => [t.state, t.foldScores.length])).toEqual([
      ['complete', 5],
      ['pruned', 4],
      ['pruned', 4],
      ['pruned', 4],
    ]);
    expect(result.best?.number).toBe(0);
    // Better on the folds seen: never pruned.
    const better = await runStudy({
      space: SPACE,
      sampler: 'random',
      pruner: { type: 'paired', pThreshold: 0.1 },
      direction: 'minimize',
      nTrials: 3,
      seed: 0,
      objective: async (trial) => {
        const values = losses(-trial.number);
        for (const loss of values) if (trial.report(loss)) return 1;
        return values.reduce((a, b) => a + b, 0) / 5;
      },
    });
    expect(better.trials.map((t) => t.state)).toEqual(['complete', 'complete', 'complete']);
  });

  it('resume: a search interrupted after 12 trials and resumed from its JSONL log proposes the same 30 trials as an uninterrupted one', async () => {
    for (const [sampler, pruner] of [
      ['tpe', 'median'],
      ['qmc', 'none'],
    ] as const) {
      const uninterrupted = await runStudy({ space: SPACE, sampler, pruner, nTrials: 30, seed: 9, objective: cvObjective });
      const file = join(dir, `trials-${sampler}.jsonl`);
      const controller = new AbortController();
      const error = await runStudy({
        space: SPACE,
        sampler,
        pruner,
        nTrials: 30,
        seed: 9,
        log: jsonlTrialLog(file),
        signal: controller.signal,
        objective: async (trial) => {
          if (trial.number === 12) controller.abort();
          return cvObjective(trial);
        },
      }).catch((e: unknown) => e);
      expect(isPipelineError(error) && error.code === 'E_ABORTED').toBe(true);
      // Trial 12 saw the abort at its end and still finished (it ignores the signal); a crash tore a 13th line.
      const logged = parseTrialLog(readFileSync(file, 'utf8'));
      expect(logged.length).toBeGreaterThanOrEqual(12);
      appendFileSync(file, '{"number": 99, "par');
      const resumed = await runStudy({ space: SPACE, sampler, pruner, nTrials: 30, seed: 9, log: jsonlTrialLog(file), resume: true, objective: cvObjective });
      expect(resumed.ran).toBe(30 - logged.length);
      expect(strip(resumed.trials)).toEqual(strip(uninterrupted.trials));
      expect(resumed.bestScore).toEqual(uninterrupted.bestScore);
    }
  });

  it('refuses to resume from a log another search wrote', async () => {
    const log = memoryTrialLog();
    await runStudy({ space: SPACE, sampler: 'tpe', nTrials: 5, seed: 1, log, objective: cvObjective });
    const error = await runStudy({ space: SPACE, sampler: 'tpe', nTrials: 8, seed: 2, log, resume: true, objective: cvObjective }).catch((e: unknown) => e);
    expect(isPipelineError(error) && error.code === 'E_STATE' && error.field === 'trials[0].params').toBe(true);
  });

  it('parallel: same seed → same trials whatever the finishing order; a resumed parallel search too', async () => {
    const run = async (delay: (n: number) => number, log = memoryTrialLog()) => {
      const result = await runStudy({
        space: SPACE,
        sampler: 'tpe',
        pruner: 'median',
        parallel: 3,
        nTrials: 24,
        seed: 5,
        log,
        objective: async (trial) => {
          const scores = foldScores(trial.params as Record<string, unknown>);
          for (const score of scores) {
            await sleep(delay(trial.number));
            if (trial.report(score)) return 0;
          }
          return scores.reduce((a, b) => a + b, 0) / 5;
        },
      });
      return { result, order: log.lines.map((line) => (JSON.parse(line) as TrialRecord).number), log };
    };
    const a = await run((n) => (n * 7) % 5);
    const b = await run((n) => ((n * 3) % 4) * 2);
    expect(a.order).not.toEqual(b.order); // the trials really finished in different orders
    expect(strip(b.result.trials)).toEqual(strip(a.result.trials));
    // Parallel proposals differ from sequential ones (pending trials are seen as pending).
    const sequential = await runStudy({ space: SPACE, sampler: 'tpe', pruner: 'median', nTrials: 24, seed: 5, objective: cvObjective });
    expect(strip(sequential.trials)).not.toEqual(strip(a.result.trials));
    // Resume with a gap: drop trial 14 (it was in flight) and everything logged after trial 17.
    const kept = a.log.lines.filter((line) => {
      const n = (JSON.parse(line) as TrialRecord).number;
      return n !== 14 && n <= 17;
    });
    const resumed = await runStudy({
      space: SPACE,
      sampler: 'tpe',
      pruner: 'median',
      parallel: 3,
      nTrials: 24,
      seed: 5,
      log: memoryTrialLog(parseTrialLog(kept.join(''))),
      resume: true,
      objective: cvObjective,
    });
    expect(resumed.ran).toBe(24 - kept.length);
    expect(strip(resumed.trials)).toEqual(strip(a.result.trials));
  });

  it('a log that cannot be written stops the study with its error (running trials are aborted, nothing hangs)', async () => {
    let aborted = 0;
    const error = await runStudy({
      space: SPACE,
      sampler: 'random',
      nTrials: 10,
      parallel: 2,
      log: {
        read: async () => [],
        append: async (record) => {
          if (record.number >= 1) throw new Error('disk full');
        },
      },
      objective: async (trial) => {
        await sleep(trial.number === 0 ? 1 : trial.number === 1 ? 30 : 300);
        if (trial.signal.aborted) aborted++;
        return cvObjective(trial);
      },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('disk full');
    expect(aborted).toBeGreaterThan(0);
  });

  it('a timeout stops launching trials; running ones finish', async () => {
    const result = await runStudy({
      space: SPACE,
      sampler: 'random',
      nTrials: 1000,
      timeoutMs: 60,
      objective: async (trial) => {
        await sleep(15);
        return cvObjective(trial);
      },
    });
    expect(result.stoppedBy).toBe('timeout');
    expect(result.trials.length).toBeGreaterThan(0);
    expect(result.trials.length).toBeLessThan(1000);
    expect(result.trials.every((t) => t.state === 'complete')).toBe(true);
  });

  it('parseTrialLog drops a torn last line and refuses damage elsewhere', () => {
    const line = (n: number) => JSON.stringify({ number: n, params: { x: 1 }, state: 'complete', score: 0.5, foldScores: [0.5], durationMs: 1 });
    expect(parseTrialLog(`${line(0)}\n${line(1)}\n{"number": 2, "pa`).map((t) => t.number)).toEqual([0, 1]);
    expect(() => parseTrialLog(`${line(0)}\n{"numb\n${line(2)}\n`, 'opt/trials.jsonl')).toThrow(/opt\/trials.jsonl: line 2 is not JSON/);
    expect(() => parseTrialLog(`${line(0)}\n${line(0)}\n`)).toThrow(/logged twice/);
    expect(() => parseTrialLog(`${JSON.stringify({ number: 0, params: {}, state: 'done', score: 1, foldScores: [], durationMs: 0 })}\n`)).toThrow(/not a trial record/);
  });
});
