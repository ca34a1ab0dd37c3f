import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { handConfig, updateTracking, writeSyntheticRun } from '@pipeline/runs';
import { experimentsReport, writeStudy } from '@pipeline/workflows';
import { CHROMIUM_FLAGS, chromium } from './helpers/chromium.js';
import { decodePng } from './helpers/png.js';

describe('experimentsReport', () => {
  it('lists every run, the studies and the CV–LB correlation; Chromium renders every mark and paints the page', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'experiments-report-'));
    const root = join(dir, 'runs');
    const cv = [0.7, 0.74, 0.78, 0.8];
    const lb = [0.69, 0.75, 0.76];
    for (const [k, score] of cv.entries()) {
      await writeSyntheticRun(join(root, `run-${k}`), { config: handConfig({ seed: k, maxIter: k < 2 ? 100 : 50 }), scores: { balancedAccuracy: [score - 0.01, score + 0.01] }, createdAt: `2026-02-0${k + 1}T00:00:00Z` });
      if (k < 3) await updateTracking(join(root, `run-${k}`), { lb: lb[k]! });
    }
    await writeSyntheticRun(join(root, 'run-live'), { config: handConfig(), scores: { balancedAccuracy: [0.5, 0.5] }, createdAt: '2026-02-09T00:00:00Z', status: 'running' });
    await writeStudy(root, { id: 'ss', kind: 'seed-study', baseRun: join(root, 'run-0'), metric: 'balancedAccuracy', createdAt: '2026-02-10T00:00:00Z', children: [{ id: 'run-0', role: 'seed:0', score: 0.7 }, { id: 'run-1', role: 'seed:1', score: 0.74 }], mean: 0.72, std: 0.02, range: 0.04, warning: 'the CV moves with the seed' });
    await writeStudy(root, { id: 'ab', kind: 'ablation', baseRun: join(root, 'run-2'), metric: 'balancedAccuracy', createdAt: '2026-02-11T00:00:00Z', children: [{ id: 'run-3', role: 'drop:meta', score: 0.8 }], baseScore: 0.78, rows: [{ mode: 'leave-one-out', group: 'meta', runId: 'run-3', score: 0.8, delta: 0.02, nFeatures: 2 }] });

    const report = await experimentsReport({ runsRoot: root, out: join(dir, 'report.md') });
    expect(report.runs).toBe(5);
    // Every run has its row in the markdown and the HTML runs table.
    for (const id of ['run-0', 'run-1', 'run-2', 'run-3', 'run-live']) {
      expect(report.markdown).toMatch(new RegExp(`^\\| ${id} \\|`, 'm'));
      expect(report.html).toContain(`<tr><td>${id}</td>`);
    }
    expect(report.markdown).toContain('| run-2 |  | completed | 0.7800 ± 0.0100 | 0.7600 | +0.0200 | 2 | hgb_tabular |');
    expect(report.markdown).toContain('| leave-one-out | meta | 2 | 0.8000 | +0.0200 | run-3 |');
    expect(report.markdown).toContain('## Seed study ss: mean 0.7200, std 0.0200, range 0.0400 — the CV moves with the seed');
    // Runs 0 and 1 share a config except the seed (maxIter 100): one seed group.
    expect(report.markdown).toContain('| run-0 run-1 | 0 1 | 0.7200 | 0.0200 | 0.7000 | 0.7400 |');
    // Pearson r of (0.70, 0.74, 0.78) vs (0.69, 0.75, 0.76), by hand: x − x̄ = (−.04, 0, .04), y − ȳ = (−.04667, .01333, .03333).
    const dx = [-0.04, 0, 0.04];
    const dy = lb.map((v) => v - (0.69 + 0.75 + 0.76) / 3);
    const r = (dx[0]! * dy[0]! + dx[2]! * dy[2]!) / Math.sqrt((2 * 0.0016) * dy.reduce((s, v) => s + v * v, 0));
    expect(report.cvLbCorrelation).toBeCloseTo(r, 10);
    expect(report.markdown).toContain(`CV–LB correlation (Pearson, 3 runs): ${r.toFixed(4)}`);

    if (chromium === undefined) throw new Error('chromium is not installed: .ci/run installs it (apt-get install chromium)');
    const dom = spawnSync(chromium, [...CHROMIUM_FLAGS, `--user-data-dir=${join(dir, 'p1')}`, '--virtual-time-budget=2000', '--dump-dom', `file://${report.htmlFile}`], { encoding: 'utf8', timeout: 60_000 });
    expect(dom.status).toBe(0);
    const html = dom.stdout;
    const chart = (id: string, next?: string) => html.slice(html.indexOf(`id="${id}"`), next === undefined ? html.indexOf('</div>', html.indexOf(`id="${id}"`)) : html.indexOf(`id="${next}"`));
    const marks = (text: string, role: string) => text.match(new RegExp(`aria-roledescription="${role}"`, 'g'))?.length ?? 0;
    const cvChart = chart('cv-chart', 'lb-chart');
    expect(marks(cvChart, 'point')).toBe(4); // one per completed run
    expect(marks(cvChart, 'rule mark')).toBe(4); // its ± std error bar
    expect(marks(chart('lb-chart'), 'point')).toBe(3); // one per run with an LB score
    expect(html).toContain(`Pearson r = ${r.toFixed(3)}`);
    const png = join(dir, 'page.png');
    const shot = spawnSync(chromium, [...CHROMIUM_FLAGS, `--user-data-dir=${join(dir, 'p2')}`, '--hide-scrollbars', '--window-size=1000,1400', `--screenshot=${png}`, `file://${report.htmlFile}`], { encoding: 'utf8', timeout: 60_000 });
    expect(shot.status).toBe(0);
    const image = decodePng(readFileSync(png));
    let inked = 0;
    for (let i = 0; i < image.width * image.height; i++) if (image.pixels[i * 4]! + image.pixels[i * 4 + 1]! + image.pixels[i * 4 + 2]! < 700) inked++;
    expect(inked / (image.width * image.height)).toBeGreaterThan(0.01);
  }, 120_000);
});

describe('experimentsReport: hyper-parameter searches', () => {
  it('draws the optimisation history and the parameter importances of a run with a search (values by hand)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'experiments-search-'));
    const root = join(dir, 'runs');
    const runDir = join(root, 'searched');
    await writeSyntheticRun(runDir, { config: handConfig(), scores: { balancedAccuracy: [0.8, 0.8] }, createdAt: '2026-03-01T00:00:00Z' });
    await writeSyntheticRun(join(root, 'plain'), { config: handConfig({ seed: 2 }), scores: { balancedAccuracy: [0.7, 0.7] }, createdAt: '2026-03-02T00:00:00Z' });
    await mkdir(join(runDir, 'opt'));
    const trials = [
      { number: 0, params: { c: 'a', x: 1, z: true }, state: 'complete', score: 1, foldScores: [1], durationMs: 5 },
      { number: 1, params: { c: 'a', x: 2, z: false }, state: 'complete', score: 3, foldScores: [3], durationMs: 5 },
      { number: 2, params: { c: 'b', x: 3, z: true }, state: 'complete', score: 5, foldScores: [5], durationMs: 5 },
      { number: 3, params: { c: 'b', x: 4, z: false }, state: 'complete', score: 7, foldScores: [7], durationMs: 5 },
      { number: 4, params: { c: 'b', x: 9, z: true }, state: 'failed', score: null, foldScores: [], error: 'boom', durationMs: 5 },
    ];
    await writeFile(join(runDir, 'opt', 'trials.jsonl'), trials.map((t) => `${JSON.stringify(t)}\n`).join(''));
    await writeFile(join(runDir, 'opt', 'config_used.json'), JSON.stringify({ metric: 'accuracy', direction: 'maximize', sampler: 'tpe' }));
    const report = await experimentsReport({ runsRoot: root, out: join(dir, 'report.md') });
    expect(report.markdown).toContain('## Search of searched: optimisation history (5 trials, tpe, maximize accuracy)');
    // Best so far: 1, 3, 5, 7, and still 7 after the failed trial.
    expect(report.markdown).toContain('| 0 | complete | 1.0000 | 1.0000 | a | 1 | true |');
    expect(report.markdown).toContain('| 3 | complete | 7.0000 | 7.0000 | b | 4 | false |');
    expect(report.markdown).toContain('| 4 | failed |  | 7.0000 | b | 9 | true |');
    // η² by hand over the 4 complete trials (scores 1,3,5,7: mean 4, total SS 20): c splits {1,3}|{5,7} → 16/20;
    // x has 4 distinct values (one bin each, ≤ 4 bins) → 20/20; z splits {1,5}|{3,7} → 4/20. Shares over 2.0.
    expect(report.markdown).toContain('| x | 1.0000 | 50.0 % | 4 |');
    expect(report.markdown).toContain('| c | 0.8000 | 40.0 % | 2 |');
    expect(report.markdown).toContain('| z | 0.2000 | 10.0 % | 2 |');
    expect(report.markdown).not.toContain('Search of plain');
    expect(report.html).toContain('id="history-searched"');
    expect(report.html).toContain('id="importance-chart-searched"');
    if (chromium === undefined) throw new Error('chromium is not installed: .ci/run installs it (apt-get install chromium)');
    const dom = spawnSync(chromium, [...CHROMIUM_FLAGS, `--user-data-dir=${join(dir, 'p1')}`, '--virtual-time-budget=2000', '--dump-dom', `file://${report.htmlFile}`], { encoding: 'utf8', timeout: 60_000 });
    expect(dom.status).toBe(0);
    const html = dom.stdout;
    const history = html.slice(html.indexOf('id="history-searched"'), html.indexOf('id="importance-chart-searched"'));
    expect(history.match(/aria-roledescription="point"/g)?.length).toBe(4); // the 4 scored trials
    expect(history).toContain('aria-roledescription="line mark"'); // the best-so-far step line
    const importance = html.slice(html.indexOf('id="importance-chart-searched"'), html.indexOf('</div>', html.indexOf('id="importance-chart-searched"')));
    expect(importance.match(/aria-roledescription="bar"/g)?.length).toBe(3); // one bar per parameter
  }, 120_000);
});

