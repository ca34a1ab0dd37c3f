// The training service's page: plain ES module, no build step. Calls the JSON API with the bearer
// token the user pastes (kept in localStorage); live progress through server-sent events (the SSE
// endpoint takes ?access_token= because EventSource cannot send headers). Every value from the
// server is rendered with textContent / SVG attributes, never as HTML.
//
// The run report (Report buttons) draws a session's flat `metrics`:
// - `name@N` keys are per-epoch curves (`val_accuracy@3`), `fold_N_name` keys per-fold curves (what a
//   `stack` kind can emit); curves whose names contain `loss` share one line chart, accuracy-like ones
//   (acc, auc, f1, precision, recall) another, anything else gets its own; every point is an SVG
//   `circle.mark`;
// - scalar scores in [0, 1] (accuracy-like names and `majority_rate`, not `…Std`) are bars (`rect.bar`); every
//   scalar is listed in a table;
// - a string `report_url` on the session (a workflows HTML report) is linked above the charts.

const TOKEN_KEY = 'pipeline.token';
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const SVG = 'http://www.w3.org/2000/svg';

const $ = (selector) => document.querySelector(selector);
const state = {
  token: localStorage.getItem(TOKEN_KEY) ?? '',
  sessions: new Map(),
  streams: new Map(),
  reportSession: null,
};

function message(text, isError = false) {
  const el = $('#message');
  el.textContent = text;
  el.className = isError ? 'error' : '';
}

async function api(path, { method = 'GET', json, form } = {}) {
  if (state.token === '') throw new Error('paste a bearer token first');
  const headers = { authorization: `Bearer ${state.token}` };
  let body;
  if (json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  const response = await fetch(path, { method, headers, body });
  const text = await response.text();
  let data;
  try {
    data = text === '' ? {} : JSON.parse(text);
  } catch {
    data = { error: { message: text } };
  }
  if (!response.ok || data.success === false) {
    const error = data.error ?? {};
    throw new Error(`${response.status} ${error.code ?? ''}: ${error.message ?? response.statusText}`.trim());
  }
  return data;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? '')));
  return node;
}

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const bytes = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
const short = (id) => String(id).slice(0, 8);
const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : String(v ?? ''));

// ---------------------------------------------------------------- datasets

async function refreshDatasets() {
  const { datasets } = await api('/api/training/datasets');
  const body = $('#datasets-table tbody');
  body.replaceChildren(
    ...datasets.map((d) =>
      el(
        'tr',
        { 'data-dataset-id': d.id },
        el('td', {}, d.name),
        el('td', {}, d.kind),
        el('td', {}, d.row_count),
        el('td', {}, bytes(d.size_bytes)),
        el('td', { class: 'muted' }, Object.entries(d.label_distribution ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ')),
        el('td', { class: 'muted' }, when(d.created_at)),
        el('td', {}, el('button', { class: 'secondary', type: 'button', onclick: () => deleteDataset(d) }, 'Delete')),
      ),
    ),
  );
  const select = $('#start-dataset');
  const selected = select.value;
  select.replaceChildren(...datasets.map((d) => el('option', { value: d.id }, `${d.name} (${d.kind}, ${d.row_count} rows)`)));
  if (datasets.some((d) => d.id === selected)) select.value = selected;
}

async function deleteDataset(dataset) {
  if (!confirm(`Delete dataset '${dataset.name}'?`)) return;
  await run(async () => {
    await api(`/api/training/datasets/${encodeURIComponent(dataset.id)}`, { method: 'DELETE' });
    message(`deleted dataset ${dataset.name}`);
    await refreshDatasets();
  });
}

async function upload(event) {
  event.preventDefault();
  await run(async () => {
    const file = $('#upload-file').files[0];
    if (file === undefined) throw new Error('choose a CSV file');
    const form = new FormData();
    // text fields first: the server reads the multipart stream in order
    form.append('name', $('#upload-name').value);
    form.append('kind', $('#upload-kind').value);
    form.append('file', file, file.name);
    const { dataset } = await api('/api/training/upload-dataset', { method: 'POST', form });
    message(`uploaded ${dataset.name}: ${dataset.row_count} rows`);
    $('#upload-form').reset();
    await refreshDatasets();
    $('#start-dataset').value = dataset.id;
  });
}

// ---------------------------------------------------------------- sessions

function sessionRow(s) {
  const percent = typeof s.progress?.percent === 'number' ? s.progress.percent : s.status === 'completed' ? 100 : 0;
  const actions = el('td', {});
  if (!TERMINAL.has(s.status)) actions.append(el('button', { class: 'secondary', type: 'button', onclick: () => cancel(s) }, 'Cancel'));
  actions.append(el('button', { class: 'secondary', type: 'button', 'data-action': 'report', onclick: () => showReport(s.id) }, 'Report'));
  return el(
    'tr',
    { 'data-session-id': s.id, 'data-status': s.status },
    el('td', { title: s.id }, short(s.id)),
    el('td', {}, s.model_name),
    el('td', {}, s.model_kind),
    el('td', { class: `status status-${s.status}`, title: s.error ?? '' }, s.status),
    el('td', {}, el('progress', { max: 100, value: percent }), ` ${percent.toFixed(0)}%`),
    el('td', { class: 'epochs' }, s.epochs_completed ?? 0),
    el('td', { class: 'muted' }, when(s.started_at ?? s.created_at)),
    actions,
  );
}

function renderSession(s) {
  state.sessions.set(s.id, s);
  const body = $('#sessions-table tbody');
  const row = sessionRow(s);
  const existing = body.querySelector(`tr[data-session-id="${CSS.escape(s.id)}"]`);
  if (existing) existing.replaceWith(row);
  else body.prepend(row);
  if (state.reportSession === s.id) renderReport(s);
}

async function refreshSessions() {
  const { sessions } = await api('/api/training/sessions?limit=100');
  $('#sessions-table tbody').replaceChildren();
  for (const s of [...sessions].reverse()) renderSession(s);
  for (const s of sessions) if (!TERMINAL.has(s.status)) watch(s.id);
}

function watch(id) {
  if (state.streams.has(id)) return;
  const source = new EventSource(`/api/training/session/${encodeURIComponent(id)}/events?access_token=${encodeURIComponent(state.token)}`);
  state.streams.set(id, source);
  source.addEventListener('session', (event) => renderSession(JSON.parse(event.data)));
  source.addEventListener('end', async () => {
    source.close();
    state.streams.delete(id);
    await run(async () => {
      const { session } = await api(`/api/training/session/${encodeURIComponent(id)}`);
      renderSession(session);
      message(`training ${short(id)} ${session.status}${session.error ? `: ${session.error}` : ''}`, session.status === 'failed');
      await refreshModels();
    });
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) state.streams.delete(id);
  });
}

async function start(event) {
  event.preventDefault();
  await run(async () => {
    let options;
    const text = $('#start-options').value.trim();
    try {
      options = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      throw new Error(`options are not valid JSON: ${error.message}`);
    }
    const { session } = await api('/api/training/start', {
      method: 'POST',
      json: { dataset_id: $('#start-dataset').value, model_kind: $('#start-kind').value, model_name: $('#start-name').value, ...(options === undefined ? {} : { options }) },
    });
    message(`training ${short(session.id)} queued`);
    renderSession(session);
    watch(session.id);
  });
}

async function cancel(s) {
  await run(async () => {
    const { session } = await api(`/api/training/session/${encodeURIComponent(s.id)}/cancel`, { method: 'POST' });
    renderSession(session);
  });
}

// ---------------------------------------------------------------- models

async function refreshModels() {
  const { models } = await api('/api/models');
  $('#models-table tbody').replaceChildren(
    ...models.map((m) =>
      el(
        'tr',
        { 'data-model-name': m.name, 'data-model-version': m.version, 'data-current': m.is_current ? 'true' : 'false' },
        el('td', {}, m.name),
        el('td', {}, m.version),
        el('td', {}, m.model_kind),
        el('td', { class: 'muted' }, when(m.created_at)),
        el('td', {}, fmt(m.metrics?.val_accuracy ?? m.metrics?.accuracy ?? '')),
        el('td', {}, m.is_current ? '★ current' : ''),
        el(
          'td',
          {},
          m.is_current ? '' : el('button', { class: 'secondary', type: 'button', onclick: () => setCurrent(m) }, 'Set current'),
          m.session_id ? el('button', { class: 'secondary', type: 'button', onclick: () => showReport(m.session_id) }, 'Report') : '',
        ),
      ),
    ),
  );
  const names = [...new Set(models.map((m) => m.name))];
  const select = $('#predict-model');
  const selected = select.value;
  select.replaceChildren(...names.map((name) => el('option', { value: name }, name)));
  if (names.includes(selected)) select.value = selected;
}

async function setCurrent(model) {
  await run(async () => {
    await api(`/api/models/${encodeURIComponent(model.name)}/current`, { method: 'POST', json: { version: model.version } });
    message(`${model.name} v${model.version} is current`);
    await refreshModels();
  });
}

async function predict(event) {
  event.preventDefault();
  await run(async () => {
    let rows;
    try {
      rows = JSON.parse($('#predict-rows').value);
    } catch (error) {
      throw new Error(`rows are not valid JSON: ${error.message}`);
    }
    if (!Array.isArray(rows)) rows = [rows];
    const name = $('#predict-model').value;
    const result = await api(`/api/models/${encodeURIComponent(name)}/predict`, { method: 'POST', json: { rows } });
    $('#predict-table thead').replaceChildren(el('tr', {}, el('th', {}, 'row'), el('th', {}, 'class'), ...result.class_names.map((c) => el('th', {}, `p(${c})`))));
    $('#predict-table tbody').replaceChildren(
      ...result.classes.map((c, k) => el('tr', {}, el('td', {}, k + 1), el('td', { class: 'predicted' }, c), ...result.probabilities[k].map((p) => el('td', {}, p.toFixed(4))))),
    );
    message(`${result.count} rows predicted with ${result.model.name} v${result.model.version}`);
  });
}

// ---------------------------------------------------------------- report

async function showReport(id) {
  await run(async () => {
    const { session } = await api(`/api/training/session/${encodeURIComponent(id)}`);
    state.reportSession = id;
    renderReport(session);
    $('#report').scrollIntoView({ behavior: 'smooth' });
  });
}

/**
 * Splits flat metrics into curves and scalars. Curves: `name@N` (per epoch, e.g. `val_accuracy@3`)
 * or `fold_N_name` / `foldN.name` (per fold); scalars: everything else.
 */
export function metricSeries(metrics) {
  const series = new Map();
  const scalars = [];
  for (const [key, value] of Object.entries(metrics ?? {})) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    let match = /^(.+)@(\d+)$/.exec(key);
    let name;
    let x;
    let axis = 'epoch';
    if (match) {
      [, name, x] = match;
    } else if ((match = /^fold[_.-]?(\d+)[_.-](.+)$/.exec(key))) {
      [, x, name] = match;
      axis = 'fold';
    } else {
      scalars.push([key, value]);
      continue;
    }
    if (!series.has(name)) series.set(name, { name, axis, points: [] });
    series.get(name).points.push([Number(x), value]);
  }
  for (const s of series.values()) s.points.sort((a, b) => a[0] - b[0]);
  return { series: [...series.values()], scalars };
}

function family(name) {
  if (/loss/i.test(name)) return 'loss';
  if (/acc|auc|f1|precision|recall/i.test(name)) return 'accuracy';
  return name;
}

function lineChart(title, series) {
  const width = 420;
  const height = 240;
  const pad = { left: 48, right: 12, top: 24, bottom: 34 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  let yMin = Math.min(...ys);
  let yMax = Math.max(...ys);
  if (title === 'accuracy' && yMin >= 0 && yMax <= 1) [yMin, yMax] = [0, 1];
  if (yMax === yMin) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const sx = (x) => pad.left + (xMax === xMin ? (width - pad.left - pad.right) / 2 : ((x - xMin) / (xMax - xMin)) * (width - pad.left - pad.right));
  const sy = (y) => height - pad.bottom - ((y - yMin) / (yMax - yMin)) * (height - pad.top - pad.bottom);
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  root.append(svg('text', { x: pad.left, y: 14 }, title));
  for (let k = 0; k <= 4; k++) {
    const y = yMin + ((yMax - yMin) * k) / 4;
    root.append(svg('line', { class: 'grid', x1: pad.left, x2: width - pad.right, y1: sy(y), y2: sy(y) }));
    root.append(svg('text', { x: 4, y: sy(y) + 4 }, y.toFixed(3)));
  }
  root.append(svg('line', { class: 'axis', x1: pad.left, x2: width - pad.right, y1: height - pad.bottom, y2: height - pad.bottom }));
  root.append(svg('line', { class: 'axis', x1: pad.left, x2: pad.left, y1: pad.top, y2: height - pad.bottom }));
  const ticks = [...new Set(xs)].sort((a, b) => a - b);
  const every = Math.max(1, Math.ceil(ticks.length / 10));
  ticks.forEach((x, k) => {
    if (k % every === 0) root.append(svg('text', { x: sx(x) - 3, y: height - pad.bottom + 14 }, String(x)));
  });
  root.append(svg('text', { x: width / 2 - 14, y: height - 4 }, series[0]?.axis ?? 'epoch'));
  series.forEach((s, k) => {
    const g = svg('g', { class: `series series-${k % 4}`, 'data-series': s.name });
    g.append(svg('polyline', { points: s.points.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' ') }));
    for (const [x, y] of s.points) {
      const mark = svg('circle', { class: 'mark', cx: sx(x), cy: sy(y), r: 3 });
      mark.append(svg('title', {}, `${s.name} ${s.axis} ${x}: ${fmt(y)}`));
      g.append(mark);
    }
    g.append(svg('text', { x: width - pad.right - 110, y: pad.top + 12 + 13 * k, class: `series-${k % 4}` }, s.name));
    root.append(g);
  });
  return el('figure', { class: 'chart', 'data-chart': title }, root);
}

function barChart(title, entries) {
  const width = 420;
  const row = 22;
  const height = 24 + row * entries.length;
  const label = 150;
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  root.append(svg('text', { x: 4, y: 14 }, title));
  entries.forEach(([name, value], k) => {
    const y = 22 + k * row;
    root.append(svg('text', { x: 4, y: y + 13 }, name));
    const bar = svg('rect', { class: 'bar', x: label, y, width: Math.max(1, value * (width - label - 60)), height: row - 6 });
    bar.append(svg('title', {}, `${name}: ${fmt(value)}`));
    root.append(bar);
    root.append(svg('text', { x: label + value * (width - label - 60) + 4, y: y + 13 }, fmt(value)));
  });
  return el('figure', { class: 'chart', 'data-chart': title }, root);
}

function renderReport(s) {
  $('#report').hidden = false;
  $('#report-title').textContent = `${s.model_name} · ${s.model_kind} · session ${short(s.id)} · ${s.status}`;
  const charts = $('#report-charts');
  charts.replaceChildren();
  if (typeof s.report_url === 'string') charts.append(el('p', {}, el('a', { href: s.report_url, target: '_blank', rel: 'noopener' }, 'full HTML report')));
  const metrics = s.metrics ?? s.progress?.metrics ?? {};
  const { series, scalars } = metricSeries(metrics);
  const families = new Map();
  for (const item of series) {
    const key = family(item.name);
    if (!families.has(key)) families.set(key, []);
    families.get(key).push(item);
  }
  for (const [title, items] of families) charts.append(lineChart(title, items));
  const rates = scalars.filter(([name, value]) => value >= 0 && value <= 1 && /acc|auc|f1|precision|recall|majority_rate/i.test(name) && !/std$/i.test(name));
  if (rates.length > 0) charts.append(barChart('scores', rates));
  if (charts.childElementCount === 0) charts.append(el('p', { class: 'muted' }, s.status === 'completed' ? 'no metrics recorded' : 'metrics appear as the training runs'));
  $('#report-metrics tbody').replaceChildren(...scalars.map(([name, value]) => el('tr', {}, el('th', {}, name), el('td', {}, fmt(value)))));
}

// ---------------------------------------------------------------- wiring

async function run(action) {
  try {
    await action();
  } catch (error) {
    message(error instanceof Error ? error.message : String(error), true);
  }
}

async function refreshAll() {
  await run(async () => {
    await Promise.all([refreshDatasets(), refreshSessions(), refreshModels()]);
    $('#token-status').textContent = 'connected';
  });
}

function init() {
  $('#token').value = state.token;
  $('#token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    state.token = $('#token').value.trim();
    localStorage.setItem(TOKEN_KEY, state.token);
    for (const source of state.streams.values()) source.close();
    state.streams.clear();
    void refreshAll();
  });
  $('#upload-form').addEventListener('submit', upload);
  $('#start-form').addEventListener('submit', start);
  $('#predict-form').addEventListener('submit', predict);
  if (state.token !== '') void refreshAll();
  else message('paste a bearer token (pipeline server token create --workspace NAME) to begin');
}

if (typeof document !== 'undefined') init();
