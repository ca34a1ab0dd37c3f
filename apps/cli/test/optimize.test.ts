import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoData } from '@pipeline/ingest';
import { parseTrialLog } from '@pipeline/model-selection';
import { run } from './helpers.js';

let root: string;
let base: string[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cli-opt-'));
  const demo = join(root, 'demo');
  await generateDemoData({ outDir: demo, n: 200, seed: 3, testN: 10 });
  await writeFile(
    join(root, 'space.yaml'),
    'params:\n  hgb.maxIter: { type: int, low: 3, high: 15 }\n  hgb.maxLeafNodes: null\n  hgb.minSamplesLeaf: null\n  hgb.l2Regularization: null\n  hgb.maxBins: null\n',
  );
  base = ['train', '--x-csv', join(demo, 'X_train.csv'), '--y-csv', join(demo, 'y_train.csv'), '--hgb-max-leaf-nodes', '8', '--splits', '3', '--quiet', '--workers', '1'];
}, 120_000);

describe('train --optimize', () => {
  it('searches, renders the trials and the best params, and writes the opt files (--json: one document)', async () => {
    const runDir = join(root, 'run');
    const args = [...base, '--optimize', '--opt-targets', 'hgb', 'meta', '--opt-trials', '4', '--opt-sampler', 'qmc', '--opt-seed', '2', '--opt-space', join(root, 'space.yaml'), '--run-dir', runDir];
    const result = await run([...args, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    const trials = parseTrialLog(await readFile(join(runDir, 'opt/trials.jsonl'), 'utf8'));
    expect(doc.trials).toHaveLength(4);
    expect(trials.map((t) => t.number).sort()).toEqual([0, 1, 2, 3]);
    const best = trials.filter((t) => t.state === 'complete').reduce((a, b) => (b.score! > a.score! || (b.score === a.score && b.number < a.number) ? b : a));
    expect(doc.best.trial).toBe(best.number);
    expect(doc.final.oof.stack.accuracy).toBe(best.score);
    expect(JSON.parse(await readFile(join(runDir, 'opt/config_used.json'), 'utf8'))).toMatchObject({ sampler: 'qmc', seed: 2, nTrials: 4, targets: ['hgb', 'meta'] });
    // The text rendering of the same search in another run folder (same seed: same trials).
    const again = await run([...args.filter((a) => a !== runDir && a !== '--run-dir'), '--run-dir', join(root, 'run-text')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Search: 4 trials \(4 run now\), accuracy \(maximize\)/);
    expect(again.stdout).toMatch(new RegExp(`best: trial ${best.number}, accuracy ${best.score!.toFixed(4)}`));
    expect(again.stdout).toMatch(/hgb\.maxIter: \d+/);
    // runs show lists the run's trials with the best-so-far score and the parameter importances.
    const shown = await run(['runs', 'show', 'run', '--runs-root', root, '--json']);
    expect(shown.code).toBe(0);
    const search = JSON.parse(shown.stdout).search as { trials: { number: number; score: number | null; params: Record<string, unknown> }[]; history: { best: number | null }[]; importances: { param: string }[] };
    const sorted = [...trials].sort((a, b) => a.number - b.number);
    expect(search.trials.map((t) => [t.number, t.score])).toEqual(sorted.map((t) => [t.number, t.score]));
    let bestSoFar: number | null = null;
    expect(search.history.map((h) => h.best)).toEqual(
      sorted.map((t) => (t.state === 'complete' && (bestSoFar === null || t.score! > bestSoFar) ? (bestSoFar = t.score) : bestSoFar)),
    );
    expect(search.importances.map((r) => r.param).sort()).toEqual([...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort());
    const text = await run(['runs', 'show', 'run', '--runs-root', root]);
    expect(text.stdout).toContain('Search: 4 trials (qmc, maximize accuracy)');
    expect(text.stdout).toContain('Parameter importances');
  }, 180_000);

  it('bad --opt-* flags exit 2 naming the flag or the value', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--optimize', '--opt-targets', 'gbm'], /unknown target 'gbm'/],
      [['--optimize', '--opt-targets', 'lstm'], /'lstm' is not a base model of this run/],
      [['--optimize', '--opt-sampler', 'grid'], /--opt-sampler must be one of random, qmc, tpe, got 'grid'/],
      [['--optimize', '--opt-metric', 'auc'], /--opt-metric must be one of accuracy, balanced-accuracy, log-loss, f1-macro/],
      [['--optimize', '--opt-trials', '0'], /--opt-trials must be an integer >= 1, got 0/],
      [['--opt-trials', '3'], /--opt-trials needs --optimize/],
    ];
    for (const [flags, message] of cases) {
      const result = await run([...base, ...flags, '--run-dir', join(root, 'never')]);
      expect({ flags, code: result.code }).toEqual({ flags, code: 2 });
      expect(result.stderr).toMatch(message);
    }
  }, 60_000);
});
