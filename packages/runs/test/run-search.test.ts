import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { formatTrialRecord, type TrialRecord } from '@pipeline/model-selection';
import { optimizationHistory, paramImportances, readRunSearch } from '@pipeline/runs';

const trial = (number: number, params: Record<string, unknown>, score: number | null, state: TrialRecord['state'] = 'complete'): TrialRecord =>
  ({ number, params, state, score, foldScores: score === null ? [] : [score], durationMs: 1 }) as TrialRecord;

/** A seeded LCG (the test's own generator). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('optimizationHistory', () => {
  it('is the best complete score so far; pruned and failed trials never set it', () => {
    const trials = [trial(0, {}, 0.5), trial(3, {}, 0.9, 'pruned'), trial(1, {}, null, 'failed'), trial(2, {}, 0.4), trial(4, {}, 0.7)];
    expect(optimizationHistory(trials, 'maximize').map((p) => [p.number, p.best])).toEqual([[0, 0.5], [1, 0.5], [2, 0.5], [3, 0.5], [4, 0.7]]);
    expect(optimizationHistory(trials, 'minimize').map((p) => p.best)).toEqual([0.5, 0.5, 0.4, 0.4, 0.4]);
  });
});

describe('paramImportances', () => {
  it('equals the correlation ratio computed by hand on a small study', () => {
    // scores 1,3,5,7 (mean 4, total SS 20); c splits them {1,3} | {5,7}: between SS = 2·2² + 2·2² = 16 → 0.8.
    // x (4 distinct numeric values, 2 bins): same split → 0.8. z splits {1,5} | {3,7}: between 2·1² + 2·1² = 4 → 0.2.
    const trials = [trial(0, { c: 'a', x: 1, z: true }, 1), trial(1, { c: 'a', x: 2, z: false }, 3), trial(2, { c: 'b', x: 3, z: true }, 5), trial(3, { c: 'b', x: 4, z: false }, 7), trial(4, { c: 'b', x: 9, z: true }, null, 'failed')];
    const got = Object.fromEntries(paramImportances(trials, { bins: 2 }).map((r) => [r.param, r]));
    expect(got.c!.eta2).toBeCloseTo(16 / 20, 12);
    expect(got.x!.eta2).toBeCloseTo(16 / 20, 12);
    expect(got.z!.eta2).toBeCloseTo(4 / 20, 12);
    expect(got.c!.share).toBeCloseTo(0.8 / 1.8, 12);
    expect(paramImportances(trials, { bins: 2 }).map((r) => r.param)).toEqual(['c', 'x', 'z']);
  });

  it('on a planted study where only lr matters, lr explains the score and the others almost nothing', () => {
    const random = lcg(2024);
    const trials: TrialRecord[] = [];
    for (let i = 0; i < 60; i++) {
      const lr = random();
      const depth = 1 + Math.floor(random() * 8);
      const kind = ['a', 'b', 'c'][Math.floor(random() * 3)]!;
      trials.push(trial(i, { lr, depth, kind }, 1 - (lr - 0.3) ** 2));
    }
    const rows = paramImportances(trials);
    expect(rows[0]!.param).toBe('lr');
    // Independent value: η² of lr over quartiles of the value-sorted trials (15 each), computed here.
    const y = trials.map((t) => t.score!);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const sorted = [...trials].sort((a, b) => (a.params.lr as number) - (b.params.lr as number)).map((t) => t.score!);
    let between = 0;
    for (let q = 0; q < 4; q++) {
      const part = sorted.slice(q * 15, q * 15 + 15);
      between += 15 * (part.reduce((a, b) => a + b, 0) / 15 - mean) ** 2;
    }
    const total = y.reduce((a, v) => a + (v - mean) ** 2, 0);
    expect(rows[0]!.eta2).toBeCloseTo(between / total, 12);
    expect(rows[0]!.eta2).toBeGreaterThan(0.8);
    for (const r of rows.slice(1)) expect(r.eta2).toBeLessThan(0.15);
  });
});

describe('readRunSearch', () => {
  it('reads the trials and settings of a run folder; undefined without a search', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runs-search-'));
    expect(await readRunSearch(dir)).toBeUndefined();
    await mkdir(join(dir, 'opt'));
    const trials = [trial(1, { 'meta.C': 2 }, 0.3), trial(0, { 'meta.C': 1 }, 0.5)];
    await writeFile(join(dir, 'opt', 'trials.jsonl'), trials.map(formatTrialRecord).join(''));
    await writeFile(join(dir, 'opt', 'config_used.json'), JSON.stringify({ metric: 'log-loss', direction: 'minimize', sampler: 'tpe' }));
    const search = await readRunSearch(dir);
    expect(search!.trials.map((t) => t.number)).toEqual([0, 1]);
    expect(search!.metric).toBe('log-loss');
    expect(search!.history.map((p) => p.best)).toEqual([0.5, 0.3]);
  });
});
