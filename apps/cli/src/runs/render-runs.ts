import type { RunComparison, RunDiff, RunIndexEntry, RunSearch, SeedGroup } from '@pipeline/runs';
import { renderTable } from '../train/summary.js';

/** Output style of the `runs` tables. */
export type TableStyle = 'text' | 'md' | 'csv';

/** A table as plain text, GitHub markdown or CSV. */
export function renderRows(header: readonly string[], rows: readonly (readonly string[])[], style: TableStyle, title?: string): string {
  if (style === 'text') return renderTable(header, rows, title);
  if (style === 'csv') {
    const cell = (c: string) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
    return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
  }
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const lines = [`| ${header.map(esc).join(' | ')} |`, `|${header.map((_, j) => (j === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)];
  return `${title ? `**${title}**\n\n` : ''}${lines.join('\n')}\n`;
}

const f4 = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '' : v.toFixed(4));
const signed = (v: number | undefined) => (v === undefined ? '' : `${v >= 0 ? '+' : ''}${v.toFixed(4)}`);
const value = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** `runs list`: one row per run. */
export function renderRunList(entries: readonly RunIndexEntry[], metric: string, style: TableStyle): string {
  const header = ['id', 'name', 'status', `cv ${metric}`, 'std', 'lb', 'features', 'models', 'tags', 'created'];
  const rows = entries.map((e) => [
    e.id,
    e.name ?? '',
    e.status,
    f4(e.cv[metric]?.mean),
    f4(e.cv[metric]?.std),
    f4(e.lb),
    String(e.nFeatures),
    e.baseModels.map((b) => b.name).join(' '),
    e.tags.join(' '),
    e.createdAt,
  ]);
  return renderRows(header, rows, style, style === 'text' ? `${entries.length} run(s)` : undefined);
}

/** `runs list --group-by-seed`: one row per seed group. */
export function renderSeedGroups(groups: readonly SeedGroup[], style: TableStyle): string {
  const header = ['group', 'runs', 'seeds', `mean ${groups[0]?.metric ?? ''}`, 'std', 'min', 'max', 'ids'];
  const rows = groups.map((g) => [g.group, String(g.ids.length), g.seeds.join(' '), f4(g.mean), f4(g.std), f4(g.min), f4(g.max), g.ids.join(' ')]);
  return renderRows(header, rows, style, style === 'text' ? 'Runs grouped by config without the seed (mean ± population std of fold means)' : undefined);
}

/** `runs compare`: differing params, then metrics with deltas vs the baseline. */
export function renderComparison(cmp: RunComparison, style: TableStyle): string {
  const params = renderRows(['param', ...cmp.ids], cmp.params.map((p) => [p.path, ...p.values.map(value)]), style, cmp.params.length === 0 ? 'Params: identical' : 'Params');
  const metricRows = cmp.metrics.map((m) => [
    `${m.metric} (${m.better === 'max' ? 'higher' : 'lower'} is better)`,
    ...m.values.map((v, i) => (v === undefined ? '—' : cmp.ids[i] === cmp.baseline ? `${f4(v.mean)} ± ${f4(v.std)}` : `${f4(v.mean)} ± ${f4(v.std)} (${signed(m.deltas[i])})`)),
  ]);
  if (cmp.lb.some((v) => v !== undefined)) metricRows.push(['LB', ...cmp.lb.map((v) => f4(v))]);
  return `${params}\n${renderRows(['metric (fold mean ± std)', ...cmp.ids], metricRows, style, `Metrics (deltas vs ${cmp.baseline})`)}`;
}

/** `runs diff A B`: Value/Change columns like `dvc exp diff`. */
export function renderDiff(d: RunDiff, style: TableStyle): string {
  const out = [
    renderRows(['param', d.a, d.b], d.params.map((p) => [p.path, value(p.a), value(p.b)]), style, d.params.length === 0 ? 'Params: identical' : 'Params changed'),
  ];
  if (d.featuresAdded.length + d.featuresRemoved.length > 0) {
    out.push(renderRows(['feature', 'change'], [...d.featuresAdded.map((f) => [f, 'added']), ...d.featuresRemoved.map((f) => [f, 'removed'])], style, 'Features'));
  } else {
    out.push('Features: identical\n');
  }
  out.push(
    renderRows(
      ['metric', d.a, d.b, 'change', 'per-fold change'],
      d.metrics.map((m) => [m.metric, f4(m.a), f4(m.b), signed(m.change), m.foldDeltas.map(signed).join(' ')]),
      style,
      'Metrics (fold mean)',
    ),
  );
  if (d.foldNote !== undefined) out.push(`${d.foldNote}\n`);
  return out.join('\n');
}

/** `runs show`: the facts of one run. */
export function renderRunDetail(e: RunIndexEntry): string {
  const lines = [
    `run: ${e.id}${e.name === undefined ? '' : ` (${e.name})`}`,
    `folder: ${e.dir}`,
    `status: ${e.status}; created ${e.createdAt}${e.finishedAt === undefined ? '' : `; finished ${e.finishedAt}`}`,
    `seed: ${e.seed}; config hash: ${e.configHash ?? '—'}; seed group: ${e.seedGroup}`,
    `data: ${e.nRows} rows, classes ${e.classes.join(', ')}; ${e.nFeatures} features; inputs ${Object.entries(e.data).map(([r, h]) => `${r} ${h.slice(0, 12)}`).join(', ')}`,
    `base models: ${e.baseModels.map((b) => `${b.name} (${b.kind} on ${b.input})`).join(', ')}`,
    `tags: ${e.tags.join(', ') || '—'}${e.lb === undefined ? '' : `; LB ${e.lb.toFixed(4)}`}${e.study === undefined ? '' : `; study ${e.study.id} (${e.study.kind}, ${e.study.role})`}`,
    ...e.notes.map((n) => `note: ${n}`),
    `packages: ${Object.entries(e.packages).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `durations: ${Object.entries(e.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`).join(', ')}`,
  ];
  const models = { stack: e.cv, ...e.baseCv };
  const metrics = Object.keys(e.cv);
  const table = renderTable(
    ['model', ...metrics],
    Object.entries(models).map(([name, scores]) => [name, ...metrics.map((m) => (scores[m] === undefined ? '—' : `${f4(scores[m]!.mean)} ± ${f4(scores[m]!.std)} [${scores[m]!.folds.map(f4).join(' ')}]`))]),
    'CV: fold mean ± std [per fold]',
  );
  return `${lines.join('\n')}\n\n${metrics.length > 0 ? table : 'no scores (the run has not completed)\n'}`;
}

/** A run's search (`train --optimize`): every trial with its params, score and the best so far; parameter importances. */
export function renderSearch(search: RunSearch, style: TableStyle = 'text'): string {
  const params = [...new Set(search.trials.flatMap((t) => Object.keys(t.params)))].sort();
  const value = (v: unknown) => (v === undefined ? '—' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v));
  const trials = renderRows(
    ['trial', 'state', ...params, search.metric, 'best so far', 'seconds'],
    search.trials.map((t, k) => [
      String(t.number),
      t.state,
      ...params.map((p) => value(t.params[p])),
      t.score === null ? '—' : f4(t.score),
      search.history[k]!.best === null ? '—' : f4(search.history[k]!.best!),
      (t.durationMs / 1000).toFixed(1),
    ]),
    style,
    `Search: ${search.trials.length} trials (${search.sampler ?? 'sampler ?'}, ${search.direction} ${search.metric})`,
  );
  const importances = renderRows(
    ['param', 'η² (variance explained)', 'share', 'bins'],
    search.importances.map((r) => [r.param, f4(r.eta2), `${(100 * r.share).toFixed(1)} %`, String(r.bins)]),
    style,
    'Parameter importances (first-order, variance-based over the complete trials)',
  );
  return `${trials}\n${importances}`;
}
