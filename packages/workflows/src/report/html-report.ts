import type * as vegaLite from 'vega-lite';
import { vegaLibs } from './vega-libs.js';

/** What the `analyze --html` page shows. */
export interface ReportData {
  readonly title: string;
  /** Short facts: run folder, base models in order, meta-learner, imbalance option, … */
  readonly summary: ReadonlyArray<readonly [string, string]>;
  readonly classNames: readonly string[];
  /** confusion[i][j]: rows = true class, columns = predicted class. */
  readonly confusion: readonly (readonly number[])[];
  readonly perClass: ReadonlyArray<{
    readonly label: string;
    readonly precision: number;
    readonly recall: number;
    readonly f1: number;
    readonly support: number;
    readonly errorRate: number;
  }>;
  /** Per-fold scores: one row per model and fold. */
  readonly folds: ReadonlyArray<{ readonly model: string; readonly fold: number; readonly accuracy: number; readonly balancedAccuracy: number; readonly f1Macro: number }>;
  readonly headline: ReadonlyArray<readonly [string, number]>;
}

type VlSpec = vegaLite.TopLevelSpec;

async function toSvg(spec: VlSpec): Promise<string> {
  const { vega, compile } = await vegaLibs();
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function confusionSpec(data: ReportData): VlSpec {
  const values: Array<{ actual: string; predicted: string; count: number; share: number }> = [];
  data.confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      values.push({ actual: data.classNames[i]!, predicted: data.classNames[j]!, count, share: total > 0 ? count / total : 0 });
    });
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Confusion matrix (colour: share of the true class)',
    data: { values },
    width: 60 * data.classNames.length,
    height: 60 * data.classNames.length,
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: [...data.classNames], title: 'predicted' },
      y: { field: 'actual', type: 'nominal', sort: [...data.classNames], title: 'true' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'share', type: 'quantitative', scale: { domain: [0, 1], scheme: 'blues' } } } },
      {
        mark: { type: 'text', fontSize: 13 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
  } as VlSpec;
}

export function perClassSpec(data: ReportData): VlSpec {
  const values = data.perClass.flatMap((c) => [
    { label: c.label, metric: 'precision', value: c.precision },
    { label: c.label, metric: 'recall', value: c.recall },
    { label: c.label, metric: 'f1', value: c.f1 },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Per-class precision, recall and F1',
    data: { values },
    width: 80 * data.perClass.length,
    height: 200,
    mark: 'bar',
    encoding: {
      x: { field: 'label', type: 'nominal', title: 'class', sort: data.perClass.map((c) => c.label) },
      xOffset: { field: 'metric', type: 'nominal' },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] } },
      color: { field: 'metric', type: 'nominal' },
    },
  } as VlSpec;
}

export function foldsSpec(data: ReportData): VlSpec {
  const values = data.folds.map((f) => ({ model: f.model, fold: `fold ${f.fold}`, accuracy: f.accuracy }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'OOF accuracy per fold',
    data: { values },
    width: 360,
    height: 220,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'fold', type: 'ordinal' },
      y: { field: 'accuracy', type: 'quantitative', scale: { zero: false } },
      color: { field: 'model', type: 'nominal' },
    },
  } as VlSpec;
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(4));

/** A self-contained HTML page (inline SVG charts, no scripts, no network). */
export async function renderHtmlReport(data: ReportData): Promise<string> {
  const [confusion, perClass, folds] = await Promise.all([
    toSvg(confusionSpec(data)),
    toSvg(perClassSpec(data)),
    data.folds.length > 0 ? toSvg(foldsSpec(data)) : Promise.resolve(''),
  ]);
  const summaryRows = data.summary.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join('');
  const headline = data.headline.map(([k, v]) => `<div class="kpi"><span>${escape(k)}</span><b>${fmt(v)}</b></div>`).join('');
  const classRows = data.perClass
    .map(
      (c) =>
        `<tr><td>${escape(c.label)}</td><td>${fmt(c.precision)}</td><td>${fmt(c.recall)}</td><td>${fmt(c.f1)}</td><td>${fmt(c.errorRate)}</td><td>${c.support}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(data.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
.kpis{display:flex;gap:1rem;flex-wrap:wrap}.kpi{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem}
.kpi span{display:block;font-size:.8rem;color:#666}.kpi b{font-size:1.4rem}
.charts{display:flex;flex-wrap:wrap;gap:2rem;align-items:flex-start}
</style></head>
<body>
<h1>${escape(data.title)}</h1>
<div class="kpis">${headline}</div>
<h2>Run</h2><table id="summary">${summaryRows}</table>
<h2>Charts</h2>
<div class="charts">
<figure id="confusion-chart">${confusion}</figure>
<figure id="per-class-chart">${perClass}</figure>
${folds ? `<figure id="folds-chart">${folds}</figure>` : ''}
</div>
<h2>Per-class metrics</h2>
<table id="per-class"><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>error rate</th><th>support</th></tr>${classRows}</table>
</body></html>
`;
}
