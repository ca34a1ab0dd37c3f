import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { renderHtmlReport, type ReportData } from '../src/report/html-report.js';
import { CHROMIUM_FLAGS, chromium } from './helpers/chromium.js';
import { decodePng } from './helpers/png.js';

const data: ReportData = {
  title: 'Run demo: OOF analysis',
  summary: [
    ['run', 'runs/demo'],
    ['base models', 'hgb_fe'],
  ],
  classNames: ['0', '1', '2'],
  confusion: [
    [50, 3, 1],
    [4, 20, 2],
    [1, 2, 12],
  ],
  perClass: [
    { label: '0', precision: 0.909, recall: 0.926, f1: 0.917, support: 54, errorRate: 0.074 },
    { label: '1', precision: 0.8, recall: 0.769, f1: 0.784, support: 26, errorRate: 0.231 },
    { label: '2', precision: 0.8, recall: 0.8, f1: 0.8, support: 15, errorRate: 0.2 },
  ],
  folds: [
    { model: 'stack', fold: 0, accuracy: 0.85, balancedAccuracy: 0.8, f1Macro: 0.8 },
    { model: 'stack', fold: 1, accuracy: 0.88, balancedAccuracy: 0.82, f1Macro: 0.81 },
  ],
  headline: [
    ['accuracy', 0.8632],
    ['balanced accuracy', 0.8317],
  ],
};

describe('analyze --html report', () => {
  it('renders self-contained HTML with three SVG charts and the per-class table', async () => {
    const html = await renderHtmlReport(data);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/);
    expect(html.match(/<svg/g)?.length).toBe(3);
    // Every confusion count is drawn as a text mark in the SVG.
    const confusion = html.slice(html.indexOf('id="confusion-chart"'), html.indexOf('id="per-class-chart"'));
    for (const count of [50, 3, 1, 4, 20, 2, 12]) expect(confusion).toContain(`>${count}</text>`);
    expect(html).toContain('<td>1</td><td>0.8000</td><td>0.7690</td><td>0.7840</td><td>0.2310</td><td>26</td>');
  });

  it('is rendered by headless Chromium with its SVG charts', async () => {
    if (chromium === undefined) throw new Error('chromium is not installed: .ci/run installs it (apt-get install chromium)');
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    const file = join(dir, 'report.html');
    await writeFile(file, await renderHtmlReport(data));
    const result = spawnSync(
      chromium,
      [...CHROMIUM_FLAGS, `--user-data-dir=${join(dir, 'profile')}`, '--virtual-time-budget=2000', '--dump-dom', `file://${file}`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.status).toBe(0);
    const dom = result.stdout;
    expect(dom.match(/<svg/g)?.length).toBe(3);
    expect(dom).toContain('Confusion matrix');
    expect(dom).toContain('OOF accuracy per fold');
    expect(dom).toContain('Run demo: OOF analysis');
    // The charts as Chromium parsed them: every mark is there, chart by chart.
    const chart = (id: string, next?: string) => dom.slice(dom.indexOf(`id="${id}"`), next === undefined ? undefined : dom.indexOf(`id="${next}"`));
    const marks = (html: string, role: string) => html.match(new RegExp(`aria-roledescription="${role}"`, 'g'))?.length ?? 0;
    const confusion = chart('confusion-chart', 'per-class-chart');
    expect(marks(confusion, 'rect mark')).toBe(9); // one cell per (true, predicted) pair
    expect(marks(confusion, 'text mark')).toBe(9); // its count
    expect(marks(chart('per-class-chart', 'folds-chart'), 'bar')).toBe(9); // precision, recall, F1 × 3 classes
    const folds = chart('folds-chart');
    expect(marks(folds, 'point')).toBe(2); // one per fold
    expect(marks(folds, 'line mark')).toBe(1);
    // And painted: a screenshot of the page is far from blank and colourful where the charts are.
    const png = join(dir, 'page.png');
    const shot = spawnSync(
      chromium,
      [...CHROMIUM_FLAGS, `--user-data-dir=${join(dir, 'profile2')}`, '--hide-scrollbars', '--window-size=1000,1800', `--screenshot=${png}`, `file://${file}`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(shot.status).toBe(0);
    const image = decodePng(readFileSync(png));
    expect([image.width, image.height]).toEqual([1000, 1800]);
    let inked = 0;
    const colours = new Set<number>();
    for (let i = 0; i < image.width * image.height; i++) {
      const [r, g, b] = [image.pixels[i * 4]!, image.pixels[i * 4 + 1]!, image.pixels[i * 4 + 2]!];
      if (r + g + b < 700) inked++;
      colours.add((r << 16) | (g << 8) | b);
    }
    expect(inked / (image.width * image.height)).toBeGreaterThan(0.02);
    expect(colours.size).toBeGreaterThan(50); // the heat map's shades, the bars' three hues, text anti-aliasing
  });
});
