#!/usr/bin/env node
// Load test of the training service on loopback (not part of the test suite):
//   pnpm --filter @pipeline/server build && node apps/server/bench/load.mjs [--clients 50] [--seconds 60]
// Starts the built server (dist/) in its own process on 127.0.0.1 with a fresh data dir (SQLite, or
// PostgreSQL if DATABASE_URL is set), then runs N concurrent clients for S seconds. Each client has its
// own token (one workspace) and loops: 4 × GET /api/training/sessions, then 1 × upload of a small
// transit CSV (20 rows, ~1.1 kB, unique content). Reports throughput, latency percentiles and errors
// per endpoint, then verifies every accepted upload: one database row per 201, each row's file on
// disk with the recorded size and sha256, no other file under datasets/, nothing left in uploads/.
// The rate limit is raised for the run (it would otherwise answer 429 by design). Writes
// bench/results/server.md.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { numberOption } from '../../../scripts/lib/bench-args.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist', 'index.js');
const CLIENTS = numberOption('clients', 50);
const SECONDS = numberOption('seconds', 60);

const HEADER = 'period,duration,depth,impact,snr,steff,srad,slogg,tmag,label';
const LABELS = ['CANDIDATE', 'CONFIRMED', 'FALSE POSITIVE'];
function csvFor(client, n) {
  const lines = [HEADER];
  for (let i = 0; i < 20; i++) lines.push([1 + i + client / 100, 2.5, 100 + n, 0.3, 12.5, 5700, 1.01, 4.4, 12.1, LABELS[(i + n) % 3]].join(','));
  return `${lines.join('\n')}\n`;
}
function multipart(name, csv) {
  const boundary = '----loadBoundary';
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n${name}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="load.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`,
  );
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}
const percentile = (sorted, p) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

const { createWorkspaceToken, openRepository } = await import(dist);
const dataDir = await mkdtemp(join(tmpdir(), 'pipeline-load-'));
const tokens = [];
for (let c = 0; c < CLIENTS; c++) tokens.push(await createWorkspaceToken({ dataDir, workspace: `load-${c}` }));

const serverScript = `
import { startServer } from ${JSON.stringify(dist)};
const { url } = await startServer({ dataDir: ${JSON.stringify(dataDir)}, port: 0, logLevel: 'warn', rateLimitMax: 1e9, handleSignals: true, webDir: '/nonexistent' });
process.stdout.write(JSON.stringify({ url }) + '\\n');
`;
const server = spawn(process.execPath, ['--input-type=module', '-e', serverScript], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  createInterface({ input: server.stdout }).once('line', (line) => resolve(JSON.parse(line).url));
  server.once('exit', (code) => reject(new Error(`server exited ${code}`)));
});

const stats = { list: [], upload: [] };
const errors = { list: 0, upload: 0 };
const errorSamples = [];
const accepted = []; // { client, id, sha256, size }
const deadline = Date.now() + SECONDS * 1000;
const loadBefore = loadavg()[0];

async function client(c) {
  const auth = { authorization: `Bearer ${tokens[c]}` };
  let n = 0;
  while (Date.now() < deadline) {
    const upload = n % 5 === 4;
    const started = performance.now();
    try {
      if (upload) {
        const csv = csvFor(c, n);
        const form = multipart(`load-${c}-${n}`, csv);
        const response = await fetch(`${url}/api/training/upload-dataset`, { method: 'POST', headers: { ...auth, 'content-type': form.type }, body: form.body });
        const json = await response.json();
        if (response.status !== 201) throw new Error(`upload ${response.status} ${JSON.stringify(json).slice(0, 200)}`);
        accepted.push({ client: c, id: json.dataset.id, sha256: createHash('sha256').update(csv).digest('hex'), size: Buffer.byteLength(csv) });
      } else {
        const response = await fetch(`${url}/api/training/sessions`, { headers: auth });
        const json = await response.json();
        if (response.status !== 200 || json.success !== true) throw new Error(`list ${response.status}`);
      }
      stats[upload ? 'upload' : 'list'].push(performance.now() - started);
    } catch (error) {
      errors[upload ? 'upload' : 'list']++;
      if (errorSamples.length < 5) errorSamples.push(String(error.message ?? error));
    }
    n++;
  }
}

const t0 = performance.now();
await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
const elapsed = (performance.now() - t0) / 1000;
const loadAfter = loadavg()[0];

// stop the server gracefully, then verify rows ↔ files
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
const repository = await openRepository({ dataDir, databaseUrl: process.env.DATABASE_URL });
let rows = 0;
let mismatched = 0;
const files = new Set(await readdir(join(dataDir, 'datasets')));
const rowFiles = new Set();
const byId = new Map(accepted.map((a) => [a.id, a]));
for (let c = 0; c < CLIENTS; c++) {
  const workspace = await repository.ensureWorkspace(`load-${c}`);
  for (const dataset of await repository.listDatasets(workspace.id)) {
    rows++;
    rowFiles.add(dataset.fileName);
    const expected = byId.get(dataset.id);
    let bytes;
    try {
      bytes = await readFile(join(dataDir, 'datasets', dataset.fileName));
    } catch {
      bytes = undefined;
    }
    const ok =
      expected !== undefined &&
      bytes !== undefined &&
      bytes.length === dataset.sizeBytes &&
      bytes.length === expected.size &&
      createHash('sha256').update(bytes).digest('hex') === dataset.sha256 &&
      dataset.sha256 === expected.sha256 &&
      dataset.rowCount === 20;
    if (!ok) mismatched++;
  }
}
await repository.close();
const orphanFiles = [...files].filter((f) => !rowFiles.has(f)).length;
const leftovers = (await readdir(join(dataDir, 'uploads'))).length;
await rm(dataDir, { recursive: true, force: true });

const summarize = (name) => {
  const sorted = [...stats[name]].sort((a, b) => a - b);
  return { name, count: sorted.length, rps: sorted.length / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, errors: errors[name] };
};
const list = summarize('list');
const upload = summarize('upload');
const total = list.count + upload.count;
const lost = accepted.length - rows;
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const database = process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite';
const report = `## ${database}

\`node apps/server/bench/load.mjs --clients ${CLIENTS} --seconds ${SECONDS}\` (built server in its own process,
${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}, 127.0.0.1; ${CLIENTS} concurrent clients, each with its own token: 4 × list sessions,
1 × upload of a 20-row transit CSV, in a loop; rate limit raised for the run). ${new Date().toISOString()},
Node ${process.version}, ${cpus().length} cores, load average ${loadBefore.toFixed(1)} before / ${loadAfter.toFixed(1)} after
(the machine is shared: the load generator and the server compete for the same cores).

| endpoint | requests | req/s | p50 ms | p99 ms | max ms | errors |
|---|---:|---:|---:|---:|---:|---:|
| GET /api/training/sessions | ${list.count} | ${fmt(list.rps)} | ${fmt(list.p50)} | ${fmt(list.p99)} | ${fmt(list.max)} | ${list.errors} |
| POST /api/training/upload-dataset | ${upload.count} | ${fmt(upload.rps)} | ${fmt(upload.p50)} | ${fmt(upload.p99)} | ${fmt(upload.max)} | ${upload.errors} |
| all | ${total} | ${fmt(total / elapsed)} | | | | ${list.errors + upload.errors} |

Upload integrity after a graceful stop: ${accepted.length} uploads answered 201; ${rows} dataset rows in the database;
${lost} lost (201 without a row); ${mismatched} rows whose file is missing or differs (size, sha256, rows);
${orphanFiles} files without a row; ${leftovers} temporary files left in uploads/.
${errorSamples.length > 0 ? `\nFirst errors: ${errorSamples.map((e) => `\`${e}\``).join('; ')}\n` : ''}`;
await mkdir(join(here, 'results'), { recursive: true });
// results/server.md keeps one section per database; this run replaces its own
const resultsFile = join(here, 'results', 'server.md');
let previous = '';
try {
  previous = await readFile(resultsFile, 'utf8');
} catch {}
const sections = new Map(previous.split(/\n(?=## )/).filter((part) => part.startsWith('## ')).map((part) => [part.split('\n', 1)[0], part.trimEnd()]));
sections.set(`## ${database}`, report.trimEnd());
const order = ['## SQLite', '## PostgreSQL'].filter((key) => sections.has(key));
await writeFile(resultsFile, `# Training service load test\n\n${order.map((key) => sections.get(key)).join('\n\n')}\n`);
process.stdout.write(report);
process.exit(lost === 0 && mismatched === 0 && orphanFiles === 0 && leftovers === 0 && list.errors + upload.errors === 0 ? 0 : 1);
