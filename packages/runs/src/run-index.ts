import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isPipelineError } from '@pipeline/core';
import type { RunManifest, RunStatus } from './manifest.js';
import { RunDirectory, MANIFEST_FILE } from './run-directory.js';
import { RUN_FILES } from './run-files.js';
import { TRACKING_FILE, readTracking, type StudyLink } from './tracking.js';

/** Cache of the index under a runs root (a cache only: the run folders are the truth). */
export const RUN_INDEX_FILE = '.runs-index.json';
/** Version of the cache layout; a cache of another version is rebuilt. */
const INDEX_VERSION = 1;
/** The metric runs are ranked by unless told otherwise. */
export const PRIMARY_METRIC = 'balancedAccuracy';
/** Metrics of `metrics/oof_<model>.json` that the index keeps, and whether higher is better. */
export const RUN_METRICS: Readonly<Record<string, 'max' | 'min'>> = {
  accuracy: 'max',
  balancedAccuracy: 'max',
  f1Macro: 'max',
  logLoss: 'min',
};

/** CV score of one metric: overall OOF value, fold mean ± population std, per-fold values. */
export interface MetricScore {
  readonly overall: number;
  readonly mean: number;
  readonly std: number;
  readonly folds: readonly number[];
}

/** One run as the index sees it. */
export interface RunIndexEntry {
  /** Folder name under the root: the id every `runs` command takes. */
  readonly id: string;
  readonly dir: string;
  readonly name?: string;
  readonly tags: readonly string[];
  readonly notes: readonly string[];
  readonly status: RunStatus;
  readonly createdAt: string;
  readonly finishedAt?: string;
  /** The stack's CV scores by metric (completed runs only). */
  readonly cv: Readonly<Record<string, MetricScore>>;
  /** Each base model's CV scores by metric (completed runs only). */
  readonly baseCv: Readonly<Record<string, Readonly<Record<string, MetricScore>>>>;
  readonly lb?: number;
  /** Features over every view (columns of tabular/dwt views; signal length for raw signals). */
  readonly nFeatures: number;
  readonly baseModels: readonly { readonly name: string; readonly kind: string; readonly input: string }[];
  readonly classes: readonly string[];
  readonly nRows: number;
  readonly seed: number;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly configHash?: string;
  /** Hash of the config without seed, name and tags: runs sharing it differ only by seed. */
  readonly seedGroup: string;
  /** sha256 of each input by role. */
  readonly data: Readonly<Record<string, string>>;
  readonly packages: Readonly<Record<string, string>>;
  readonly git?: { readonly commit: string; readonly dirty: boolean };
  readonly timings: Readonly<Record<string, number>>;
  readonly study?: StudyLink;
}

interface CachedEntry {
  readonly stamp: string;
  readonly entry: RunIndexEntry;
}

interface IndexCache {
  readonly version: number;
  readonly root: string;
  readonly entries: Record<string, CachedEntry>;
}

/** Options of {@link buildRunIndex}. */
export interface RunIndexOptions {
  /** Write the refreshed cache back (default true). Read-only roots still list. */
  readonly writeCache?: boolean;
}

/**
 * Every run under `root`, oldest first, from the run folders themselves. A cached entry is reused only
 * while its manifest and tracking file are unchanged (size + mtime); anything else is re-read, so the
 * cache can never show a stale status. The cache is replaced by an atomic rename.
 */
export async function buildRunIndex(root: string, options: RunIndexOptions = {}): Promise<RunIndexEntry[]> {
  const abs = resolve(root);
  let names: string[];
  try {
    names = (await readdir(abs, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name);
  } catch {
    return [];
  }
  const cache = await readCache(abs);
  const next: Record<string, CachedEntry> = {};
  let changed = Object.keys(cache.entries).length !== names.length;
  const entries = await mapLimit(names.sort(), 32, async (name) => {
    const dir = join(abs, name);
    const stamp = await stampOf(dir);
    if (stamp === undefined) return undefined;
    const cached = cache.entries[name];
    if (cached !== undefined && cached.stamp === stamp) {
      next[name] = cached;
      return cached.entry;
    }
    changed = true;
    const entry = await readEntry(dir, name);
    if (entry === undefined) return undefined;
    // Only settled runs are cached; a running run is re-read every time.
    if (entry.status !== 'running') next[name] = { stamp, entry };
    return entry;
  });
  const out = entries.filter((e): e is RunIndexEntry => e !== undefined);
  out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (changed && options.writeCache !== false) await writeCache(abs, { version: INDEX_VERSION, root: abs, entries: next });
  return out;
}

/** Reads one run folder into an index entry (undefined when the folder is not a run). */
export async function readRunEntry(dir: string): Promise<RunIndexEntry | undefined> {
  const abs = resolve(dir);
  return readEntry(abs, abs.split(/[\\/]/).pop() ?? abs);
}

async function readEntry(dir: string, id: string): Promise<RunIndexEntry | undefined> {
  let run: RunDirectory;
  try {
    run = await RunDirectory.open(dir);
  } catch (error) {
    if (isPipelineError(error)) return undefined;
    throw error;
  }
  const m = run.manifest;
  const tracking = await readTracking(dir).catch(() => ({}) as Awaited<ReturnType<typeof readTracking>>);
  const cv: Record<string, MetricScore> = {};
  const baseCv: Record<string, Record<string, MetricScore>> = {};
  if (m.status === 'completed') {
    Object.assign(cv, await readScores(run, 'stack'));
    for (const model of m.baseModels) baseCv[model.name] = await readScores(run, model.name);
  }
  const data: Record<string, string> = {};
  for (const input of m.inputs) data[input.role] = input.sha256;
  const git = (m.environment?.git ?? undefined) as { commit: string; dirty: boolean } | undefined;
  const name = tracking.name ?? m.name;
  const lb = tracking.lb;
  return {
    id,
    dir,
    ...(name === undefined ? {} : { name }),
    tags: [...new Set([...(m.tags ?? []), ...(tracking.tags ?? [])])],
    notes: [...(tracking.notes ?? [])],
    status: m.status,
    createdAt: m.createdAt,
    ...(m.finishedAt === undefined ? {} : { finishedAt: m.finishedAt }),
    cv,
    baseCv,
    ...(lb === undefined ? {} : { lb }),
    nFeatures: countFeatures(m),
    baseModels: m.baseModels.map((b) => ({ name: b.name, kind: b.kind, input: b.input })),
    classes: [...m.classes.names],
    nRows: m.nRows,
    seed: m.seed,
    ...(m.config === undefined ? {} : { config: m.config }),
    ...(m.configHash === undefined ? {} : { configHash: m.configHash }),
    seedGroup: seedGroupOf(m),
    data,
    packages: m.packages,
    ...(git === undefined ? {} : { git }),
    timings: m.timings,
    ...(tracking.study === undefined ? {} : { study: tracking.study }),
  };
}

async function readScores(run: RunDirectory, model: string): Promise<Record<string, MetricScore>> {
  const out: Record<string, MetricScore> = {};
  let file: Record<string, unknown>;
  try {
    file = await run.readJson<Record<string, unknown>>(RUN_FILES.oofMetrics(model));
  } catch {
    return out;
  }
  const folds = Array.isArray(file.folds) ? (file.folds as Record<string, number>[]) : [];
  const foldMean = (file.foldMean ?? {}) as Record<string, number>;
  const foldStd = (file.foldStd ?? {}) as Record<string, number>;
  for (const metric of Object.keys(RUN_METRICS)) {
    const overall = file[metric];
    if (typeof overall !== 'number') continue;
    out[metric] = {
      overall,
      mean: foldMean[metric] ?? overall,
      std: foldStd[metric] ?? 0,
      folds: folds.map((f) => f[metric]).filter((v): v is number => typeof v === 'number'),
    };
  }
  return out;
}

function countFeatures(m: RunManifest): number {
  let n = 0;
  for (const view of Object.values(m.views)) n += view.signal !== undefined ? view.signal.length : view.columns.length;
  return n;
}

/** Hash of the config without seed, name and tags, plus the class names and input hashes (format-1 runs: the manifest's model/data facts). */
export function seedGroupOf(m: RunManifest): string {
  let basis: unknown;
  if (m.config !== undefined) {
    const { seed: _seed, name: _name, tags: _tags, ...rest } = m.config as Record<string, unknown>;
    // The same config on other data (same paths, other contents) is another group.
    basis = { config: rest, classes: m.classes.names, inputs: m.inputs.map((i) => [i.role, i.sha256]) };
  } else {
    basis = { inputs: m.inputs.map((i) => [i.role, i.sha256]), views: m.views, baseModels: m.baseModels, meta: m.meta, splitter: { kind: m.splitter.kind, n: m.splitter.nSplits }, imbalance: m.imbalance.strategy };
  }
  return createHash('sha256').update(canonicalJson(basis)).digest('hex').slice(0, 12);
}

/** JSON with object keys sorted (stable across key order). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function stampOf(dir: string): Promise<string | undefined> {
  try {
    const m = await stat(join(dir, MANIFEST_FILE));
    let t = '-';
    try {
      const s = await stat(join(dir, TRACKING_FILE));
      t = `${s.size}:${s.mtimeMs}`;
    } catch {
      // no tracking file
    }
    return `${m.size}:${m.mtimeMs}|${t}`;
  } catch {
    return undefined;
  }
}

async function readCache(root: string): Promise<IndexCache> {
  try {
    const parsed = JSON.parse(await readFile(join(root, RUN_INDEX_FILE), 'utf8')) as IndexCache;
    if (parsed.version === INDEX_VERSION && parsed.root === root && typeof parsed.entries === 'object' && parsed.entries !== null) return parsed;
  } catch {
    // missing or damaged cache: rebuilt from the folders
  }
  return { version: INDEX_VERSION, root, entries: {} };
}

let writes = 0;
async function writeCache(root: string, cache: IndexCache): Promise<void> {
  // A unique temporary name per process and write, then rename: concurrent writers never interleave bytes.
  const tmp = join(root, `${RUN_INDEX_FILE}.tmp-${process.pid}-${writes++}`);
  try {
    await mkdir(root, { recursive: true });
    await writeFile(tmp, JSON.stringify(cache));
    await rename(tmp, join(root, RUN_INDEX_FILE));
  } catch {
    // The cache is optional (read-only root, race with a removal): the index itself is already built.
    await rm(tmp, { force: true });
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}
