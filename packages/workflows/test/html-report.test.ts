import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { renderHtmlReport, type ReportData } from '../src/report/html-report.js';

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

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

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
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--virtual-time-budget=2000',
        '--dump-dom',
        `file://${file}`,
      ],
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
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile2')}`, '--hide-scrollbars', '--window-size=1000,1800', `--screenshot=${png}`, `file://${file}`],
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

/** Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes) to RGBA pixels. */
function decodePng(file: Buffer): { width: number; height: number; pixels: Uint8Array } {
  expect(file.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('ascii', offset + 4, offset + 8);
    const body = file.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect(body[8]).toBe(8);
      channels = body[9] === 6 ? 4 : body[9] === 2 ? 3 : 0;
      expect(channels).toBeGreaterThan(0);
      expect(body[12]).toBe(0);
    } else if (type === 'IDAT') idat.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  const previous = new Uint8Array(stride);
  const line = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const left = x >= channels ? line[x - channels]! : 0;
      const up = previous[x]!;
      const upLeft = x >= channels ? previous[x - channels]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      line[x] = (value + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) out[(y * width + x) * 4 + c] = line[x * channels + c]!;
      out[(y * width + x) * 4 + 3] = channels === 4 ? line[x * channels + 3]! : 255;
    }
    previous.set(line);
  }
  return { width, height, pixels: out };
}
