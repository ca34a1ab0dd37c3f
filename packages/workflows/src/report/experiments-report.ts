import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type * as vegaLite from 'vega-lite';
import { vegaLibs } from './vega-libs.js';
import { atomicWrite, pathExists, PipelineError } from '@pipeline/core';
import { PRIMARY_METRIC, buildRunIndex, groupBySeed, readRunSearch, type RunIndexEntry, type RunSearch, type SeedGroup } from '@pipeline/runs';
import { listStudies, type StudyRecord } from '../study-folder.js';

export interface ExperimentsReportOptions {
  readonly runsRoot: string;
  /** Markdown file; the HTML goes next to it (`.html`). Default `reports/experiments/<YYYY-MM-DD>_summary.md`. */
  readonly out?: string;
  readonly metric?: string;
  readonly overwrite?: boolean;
  /** The report's date (default today); only used for the default file name and the title. */
  readonly date?: Date;
}

export interface ExperimentsReport {
  readonly markdown: string;
  readonly html: string;
  readonly mdFile: string;
  readonly htmlFile: string;
  readonly runs: number;
  /** Pearson correlation of CV and LB over the runs with an LB score (3 or more), else undefined. */
  readonly cvLbCorrelation?: number;
}

/** Pearson correlation of two equally long lists. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

const f4 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(4));
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`;
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const mdCell = (t: string) => t.replace(/\|/g, '\\|');

interface Table {
  readonly id: string;
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

function tables(entries: readonly RunIndexEntry[], groups: readonly SeedGroup[], studies: readonly StudyRecord[], metric: string): Table[] {
  const out: Table[] = [
    {
      id: 'runs',
      title: `Runs (${entries.length})`,
      header: ['run', 'name', 'status', `CV ${metric} (mean ± std)`, 'LB', 'CV − LB', 'features', 'models', 'tags', 'study', 'created'],
      rows: entries.map((e) => {
        const cv = e.cv[metric];
        return [
          e.id,
          e.name ?? '',
          e.status,
          cv === undefined ? '' : `${f4(cv.mean)} ± ${f4(cv.std)}`,
          f4(e.lb),
          cv !== undefined && e.lb !== undefined ? signed(cv.mean - e.lb) : '',
          String(e.nFeatures),
          e.baseModels.map((b) => b.name).join(' '),
          e.tags.join(' '),
          e.study === undefined ? '' : `${e.study.id} (${e.study.role})`,
          e.createdAt,
        ];
      }),
    },
  ];
  const multi = groups.filter((g) => g.ids.length > 1);
  if (multi.length > 0) {
    out.push({
      id: 'seed-groups',
      title: 'Runs differing only in the seed',
      header: ['group', 'runs', 'seeds', 'mean', 'std', 'min', 'max'],
      rows: multi.map((g) => [g.group, g.ids.join(' '), g.seeds.join(' '), f4(g.mean), f4(g.std), f4(g.min), f4(g.max)]),
    });
  }
  for (const s of studies) {
    if (s.kind === 'ablation') {
      const rows = (s.rows ?? []) as { mode: string; group: string; runId: string; score: number; delta: number; nFeatures: number }[];
      out.push({
        id: `study-${s.id}`,
        title: `Ablation ${s.id} (base ${f4(s.baseScore as number)}; leave-one-out: negative delta = the group helps; additive: positive = it helps)`,
        header: ['mode', 'group', 'features', s.metric, 'delta', 'run'],
        rows: rows.map((r) => [r.mode, r.group, String(r.nFeatures), f4(r.score), signed(r.delta), r.runId]),
      });
    } else {
      out.push({
        id: `study-${s.id}`,
        title: `Seed study ${s.id}: mean ${f4(s.mean as number)}, std ${f4(s.std as number)}, range ${f4(s.range as number)}${s.warning === undefined ? '' : ` — ${String(s.warning)}`}`,
        header: ['run', 'seed', s.metric],
        rows: s.children.map((c) => [c.id, c.role.replace(/^seed:/, ''), f4(c.score)]),
      });
    }
  }
  return out;
}

/** The tables of each run's hyper-parameter search: trials with the best so far, and parameter importances. */
function searchTables(searches: readonly { run: string; search: RunSearch }[]): Table[] {
  return searches.flatMap(({ run, search }) => {
    const params = [...new Set(search.trials.flatMap((t) => Object.keys(t.params)))].sort();
    const value = (v: unknown) => (v === undefined ? '' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v));
    return [
      {
        id: `search-${run}`,
        title: `Search of ${run}: optimisation history (${search.trials.length} trials, ${search.sampler ?? 'sampler ?'}, ${search.direction} ${search.metric})`,
        header: ['trial', 'state', search.metric, 'best so far', ...params],
        rows: search.trials.map((t, k) => [String(t.number), t.state, t.score === null ? '' : f4(t.score), search.history[k]!.best === null ? '' : f4(search.history[k]!.best!), ...params.map((p) => value(t.params[p]))]),
      },
      {
        id: `importance-${run}`,
        title: `Search of ${run}: parameter importances (η² = share of the score's variance explained by the parameter's bins, first order)`,
        header: ['param', 'η²', 'share', 'bins'],
        rows: search.importances.map((r) => [r.param, f4(r.eta2), `${(100 * r.share).toFixed(1)} %`, String(r.bins)]),
      },
    ];
  });
}

function historySpec(run: string, search: RunSearch): vegaLite.TopLevelSpec {
  const values = search.history.flatMap((p) => [
    ...(p.score === null ? [] : [{ trial: p.number, value: p.score, series: `trial (${p.state})` }]),
    ...(p.best === null ? [] : [{ trial: p.number, value: p.best, series: 'best so far' }]),
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Optimisation history of ${run} (${search.metric}, ${search.direction})`,
    data: { values },
    width: 320,
    height: 200,
    layer: [
      { transform: [{ filter: "datum.series !== 'best so far'" }], mark: { type: 'point', filled: true, size: 40 }, encoding: { x: { field: 'trial', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: search.metric }, color: { field: 'series', type: 'nominal' } } },
      { transform: [{ filter: "datum.series === 'best so far'" }], mark: { type: 'line', interpolate: 'step-after' }, encoding: { x: { field: 'trial', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, color: { field: 'series', type: 'nominal' } } },
    ],
  };
}

function importanceSpec(run: string, search: RunSearch): vegaLite.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Parameter importances of ${run} (η²)`,
    data: { values: search.importances.map((r) => ({ param: r.param, eta2: r.eta2 })) },
    width: 260,
    height: Math.max(60, 22 * search.importances.length),
    mark: 'bar',
    encoding: { y: { field: 'param', type: 'nominal', sort: '-x' }, x: { field: 'eta2', type: 'quantitative', scale: { domain: [0, 1] }, title: 'η²' } },
  };
}

async function svg(spec: vegaLite.TopLevelSpec): Promise<string> {
  const { vega, compile } = await vegaLibs();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function cvSpec(entries: readonly RunIndexEntry[], metric: string): vegaLite.TopLevelSpec {
  const values = entries.flatMap((e) => {
    const cv = e.cv[metric];
    return cv === undefined ? [] : [{ run: e.id, mean: cv.mean, low: cv.mean - cv.std, high: cv.mean + cv.std }];
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `CV ${metric} per run (fold mean ± std)`,
    data: { values },
    width: Math.max(200, 28 * values.length),
    height: 220,
    encoding: { x: { field: 'run', type: 'nominal', sort: null, axis: { labelAngle: -45 } } },
    layer: [
      { mark: 'rule', encoding: { y: { field: 'low', type: 'quantitative', scale: { zero: false }, title: metric }, y2: { field: 'high' } } },
      { mark: { type: 'point', filled: true, size: 60 }, encoding: { y: { field: 'mean', type: 'quantitative' } } },
    ],
  };
}

function lbSpec(points: readonly { run: string; cv: number; lb: number }[], r: number, metric: string): vegaLite.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `CV vs LB (${points.length} runs, Pearson r = ${r.toFixed(3)})`,
    data: { values: [...points] },
    width: 260,
    height: 260,
    mark: { type: 'point', filled: true, size: 70 },
    encoding: {
      x: { field: 'cv', type: 'quantitative', scale: { zero: false }, title: `CV ${metric}` },
      y: { field: 'lb', type: 'quantitative', scale: { zero: false }, title: 'LB' },
      tooltip: { field: 'run', type: 'nominal' },
    },
  };
}

/**
 * The summary of every run under a root: a markdown file (runs, seed groups, ablation and seed-study
 * tables, CV–LB correlation) and a self-contained HTML page with the same tables and charts
 * (CV per run with error bars; CV vs LB once 3 runs have an LB score; for every run with a
 * hyper-parameter search its optimisation history — trial scores and the best so far — and its
 * parameter importances, see `paramImportances` of @pipeline/runs), charts as inline SVG.
 */
export async function experimentsReport(options: ExperimentsReportOptions, context: { cwd?: string } = {}): Promise<ExperimentsReport> {
  const cwd = context.cwd ?? process.cwd();
  const root = resolve(cwd, options.runsRoot);
  const metric = options.metric ?? PRIMARY_METRIC;
  const date = (options.date ?? new Date()).toISOString().slice(0, 10);
  const mdFile = resolve(cwd, options.out ?? `reports/experiments/${date}_summary.md`);
  const htmlFile = mdFile.replace(/\.md$/i, '') + '.html';
  for (const file of [mdFile, htmlFile]) {
    if (options.overwrite !== true && (await pathExists(file))) {
      throw new PipelineError('E_STATE', 'the report file already exists', { file, field: '--out', hint: 'choose another --out or pass --overwrite' });
    }
  }
  const entries = await buildRunIndex(root);
  const groups = groupBySeed(entries, metric);
  const studies = await listStudies(root);
  const lbPoints = entries.flatMap((e) => (e.lb !== undefined && e.cv[metric] !== undefined ? [{ run: e.id, cv: e.cv[metric]!.mean, lb: e.lb }] : []));
  const r = lbPoints.length >= 3 ? pearson(lbPoints.map((p) => p.cv), lbPoints.map((p) => p.lb)) : undefined;
  const searches: { run: string; search: RunSearch }[] = [];
  for (const e of entries) {
    const search = await readRunSearch(e.dir);
    if (search !== undefined && search.trials.length > 0) searches.push({ run: e.id, search });
  }
  const all = [...tables(entries, groups, studies, metric), ...searchTables(searches)];
  const title = `Experiments under ${root} — ${date}`;
  const md = [
    `# ${title}`,
    '',
    r === undefined ? `CV–LB correlation: needs 3 runs with an LB score (${lbPoints.length} so far).` : `CV–LB correlation (Pearson, ${lbPoints.length} runs): ${r.toFixed(4)}`,
    '',
    ...all.flatMap((t) => [`## ${t.title}`, '', `| ${t.header.map(mdCell).join(' | ')} |`, `|${t.header.map(() => ' --- ').join('|')}|`, ...t.rows.map((row) => `| ${row.map(mdCell).join(' | ')} |`), '']),
  ].join('\n');
  const charts = [`<figure id="cv-chart">${await svg(cvSpec(entries, metric))}</figure>`];
  if (r !== undefined) charts.push(`<figure id="lb-chart">${await svg(lbSpec(lbPoints, r, metric))}</figure>`);
  for (const { run, search } of searches) {
    charts.push(`<figure id="history-${esc(run)}">${await svg(historySpec(run, search))}</figure>`);
    charts.push(`<figure id="importance-chart-${esc(run)}">${await svg(importanceSpec(run, search))}</figure>`);
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:2rem;align-items:flex-start}
</style></head>
<body>
<h1>${esc(title)}</h1>
<p id="correlation">${esc(md.split('\n')[2]!)}</p>
<div class="charts">
${charts.join('\n')}
</div>
${all.map((t) => `<h2>${esc(t.title)}</h2><table id="${esc(t.id)}"><tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${t.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`).join('\n')}
</body></html>
`;
  await mkdir(dirname(mdFile), { recursive: true });
  await atomicWrite(mdFile, `${md}\n`);
  await atomicWrite(htmlFile, html);
  return { markdown: `${md}\n`, html, mdFile, htmlFile, runs: entries.length, ...(r === undefined ? {} : { cvLbCorrelation: r }) };
}

