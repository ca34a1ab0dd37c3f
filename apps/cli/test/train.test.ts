import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoData, readArrowTable } from '@pipeline/ingest';
import { run } from './helpers.js';

// A small demo data set and one trained run shared by the tests of this file.
let root: string;
let demo: string;
let runDir: string;
let trainDoc: {
  runDir: string;
  baseModels: string[];
  oof: Record<string, { accuracy: number; balancedAccuracy: number; f1Macro: number; logLoss: number; folds: Array<{ accuracy: number }> }>;
};
// --workers 1: folds in this process. Without it every train here would start the default pool of
// worker threads (each loading the models, and TensorFlow.js for the temporal kinds); the pool is
// tested on its own (describe '--workers' below, and the default executor in @pipeline/workflows).
const fast = ['--hgb-max-iter', '12', '--splits', '3', '--quiet', '--workers', '1'];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cli-train-'));
  demo = join(root, 'demo');
  await generateDemoData({ outDir: demo, n: 360, seed: 3, testN: 60 });
  runDir = join(root, 'run-fe');
  const result = await run(['train', '--x-h5', join(demo, 'X_train.h5'), '--y-csv', join(demo, 'y_train.csv'), '--hgb-fe', '--run-dir', runDir, '--json', ...fast]);
  if (result.code !== 0) throw new Error(`train failed: ${result.stderr}`);
  trainDoc = JSON.parse(result.stdout);
}, 300_000);

/**
 * OOF balanced accuracy of a nearest-centroid classifier (features standardized on each training
 * fold) on a numeric CSV, with the folds of a run's folds.json: an independent quality bar.
 */
async function nearestCentroidOof(xCsv: string, yCsv: string, foldsJson: string): Promise<number> {
  const parse = (text: string) => text.trim().split('\n').map((line) => line.split(','));
  const [xHeader, ...xRows] = parse(await readFile(xCsv, 'utf8'));
  const idIndex = xHeader!.indexOf('id');
  const features = xRows.map((row) => row.filter((_, j) => j !== idIndex).map(Number));
  const labelOf = new Map(parse(await readFile(yCsv, 'utf8')).slice(1).map(([id, label]) => [id!, Number(label)]));
  const labels = xRows.map((row) => labelOf.get(row[idIndex]!)!);
  const { rows, fold } = JSON.parse(await readFile(foldsJson, 'utf8')) as { rows: number[]; fold: number[] };
  const d = features[0]!.length;
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const predicted = new Map<number, number>();
  for (const f of new Set(fold)) {
    const train = rows.filter((_, k) => fold[k] !== f);
    const test = rows.filter((_, k) => fold[k] === f);
    const mean = Array.from({ length: d }, (_, j) => train.reduce((s, i) => s + features[i]![j]!, 0) / train.length);
    const std = Array.from({ length: d }, (_, j) => Math.sqrt(train.reduce((s, i) => s + (features[i]![j]! - mean[j]!) ** 2, 0) / train.length) || 1);
    const z = (i: number) => features[i]!.map((v, j) => (v - mean[j]!) / std[j]!);
    const centroids = classes.map((c) => {
      const members = train.filter((i) => labels[i] === c).map(z);
      return Array.from({ length: d }, (_, j) => members.reduce((s, m) => s + m[j]!, 0) / members.length);
    });
    for (const i of test) {
      const zi = z(i);
      const distance = centroids.map((m) => m.reduce((s, v, j) => s + (v - zi[j]!) ** 2, 0));
      predicted.set(i, classes[distance.indexOf(Math.min(...distance))]!);
    }
  }
  const recall = classes.map((c) => {
    const members = rows.filter((i) => labels[i] === c);
    return members.filter((i) => predicted.get(i) === c).length / members.length;
  });
  return recall.reduce((a, b) => a + b, 0) / recall.length;
}

const h5 = () => join(demo, 'X_train.h5');
const y = () => join(demo, 'y_train.csv');

describe('train', () => {
  it('writes a complete, self-contained run folder', async () => {
    expect(trainDoc.baseModels).toEqual(['hgb_fe']);
    expect(trainDoc.runDir).toBe(runDir);
    const manifest = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8'));
    expect(manifest.status).toBe('completed');
    expect(manifest.baseModels.map((b: { name: string }) => b.name)).toEqual(['hgb_fe']);
    expect(manifest.views.dwt.recipe.name).toBe('dwt-combo');
    expect(manifest.inputs.map((i: { role: string }) => i.role).sort()).toEqual(['x-h5', 'y-csv']);
    expect(manifest.inputs.every((i: { sha256: string }) => /^[0-9a-f]{64}$/.test(i.sha256))).toBe(true);
    for (const file of ['oof/z_oof.arrow', 'oof/meta_oof.arrow', 'metrics/oof_stack.json', 'metrics/oof_hgb_fe.json', 'folds.json', 'models/stack/artifact.json']) {
      expect(existsSync(join(runDir, file))).toBe(true);
    }
    const folds = JSON.parse(await readFile(join(runDir, 'folds.json'), 'utf8'));
    expect(folds.fold.length).toBe(360);
    expect(new Set(folds.fold)).toEqual(new Set([0, 1, 2]));
  });

  it('reports OOF scores that match the saved OOF matrices (recomputed independently here)', async () => {
    const meta = await readArrowTable(join(runDir, 'oof/meta_oof.arrow'));
    const labels: number[] = JSON.parse(meta.metadata.labels!);
    let correct = 0;
    for (let i = 0; i < meta.rows; i++) {
      let best = 0;
      for (let c = 1; c < meta.cols; c++) if (meta.matrix.data[i * meta.cols + c]! > meta.matrix.data[i * meta.cols + best]!) best = c;
      if (best === labels[i]) correct++;
    }
    expect(trainDoc.oof.stack!.accuracy).toBeCloseTo(correct / meta.rows, 12);
    // Quality that means something: the stack's OOF balanced accuracy beats, by a clear margin, a
    // nearest-centroid classifier on the demo's tabular summary features scored on the same folds
    // (computed here independently of the library), which itself beats chance (1/3).
    const baseline = await nearestCentroidOof(join(demo, 'X_train.csv'), y(), join(runDir, 'folds.json'));
    expect(baseline).toBeGreaterThan(0.45);
    expect(trainDoc.oof.stack!.balancedAccuracy).toBeGreaterThan(baseline + 0.1);
    expect(trainDoc.oof.stack!.folds.length).toBe(3);
    const z = await readArrowTable(join(runDir, 'oof/z_oof.arrow'));
    expect(z.columns).toEqual(['hgb_fe:proba_0', 'hgb_fe:proba_1', 'hgb_fe:proba_2']);
    expect(z.ids).toEqual(meta.ids);
  });

  it('evaluate on the saved OOF equals the metrics recorded at train time and leaves the run unchanged', async () => {
    const before = await readdir(runDir, { recursive: true });
    const result = await run(['evaluate', '--run-dir', runDir, '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.source).toBe('oof');
    expect(doc.oof.stack).toEqual(trainDoc.oof.stack);
    expect(doc.oof.hgb_fe).toEqual(trainDoc.oof.hgb_fe);
    expect((await readdir(runDir, { recursive: true })).sort()).toEqual(before.sort());
  });

  it('predict writes id,pred,proba_0..k for the test file; in-sample evaluate warns', async () => {
    const out = join(root, 'preds.csv');
    const result = await run(['predict', '--run-dir', runDir, '--x-h5', join(demo, 'X_test.h5'), '--out', out, '--json']);
    expect(result.code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('id,pred,proba_0,proba_1,proba_2');
    expect(lines.length).toBe(61);
    for (const line of lines.slice(1)) {
      const [, pred, ...p] = line.split(',');
      const proba = p.map(Number);
      expect(Math.abs(proba.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
      expect(Number(pred)).toBe(proba.indexOf(Math.max(...proba)));
    }
    const again = await run(['predict', '--run-dir', runDir, '--x-h5', join(demo, 'X_test.h5'), '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists/);
    const ev = await run(['evaluate', '--run-dir', runDir, '--x-h5', h5(), '--y-csv', y(), '--json', '--log-level', 'warn']);
    expect(ev.code).toBe(0);
    expect(JSON.parse(ev.stdout).inSample).toBe(true);
    expect(ev.stderr).toMatch(/optimistic/);
  });

  it('analyze prints the report, writes analyze_oof.json and an HTML page', async () => {
    const html = join(root, 'report.html');
    const result = await run(['analyze', '--run-dir', runDir, '--html', html]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Confusion matrix (counts)');
    expect(result.stdout).toContain('macro avg');
    const analysis = JSON.parse(await readFile(join(runDir, 'metrics/analyze_oof.json'), 'utf8'));
    expect(analysis.accuracy).toBeCloseTo(trainDoc.oof.stack!.accuracy, 12);
    const total = analysis.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0);
    expect(total).toBe(360);
    for (const row of analysis.confusionMatrixNormalized) expect(row.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 12);
    expect((await readFile(html, 'utf8')).match(/<svg/g)?.length).toBe(3);
  });
});

describe('train and predict refuse bad input (usage 2, data 3, not found 4; nothing half-written)', () => {
  it('--undersample-balanced with --class-weights-auto → usage error before anything is written', async () => {
    const dir = join(root, 'bad-1');
    const result = await run(['train', '--x-h5', h5(), '--y-csv', y(), '--hgb-fe', '--undersample-balanced', '--class-weights-auto', '--run-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/mutually exclusive/);
    expect(existsSync(dir)).toBe(false);
  });

  it('--undersample-balanced with a CSV-fed HGB → usage error naming --hgb-fe', async () => {
    const result = await run(['train', '--x-csv', join(demo, 'X_train.csv'), '--y-csv', y(), '--undersample-balanced', '--run-dir', join(root, 'bad-2')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/undersample-balanced needs every base model to read the H5 rows/);
    expect(result.stderr).toMatch(/imbalance\.strategy' \(--undersample-balanced \/ --class-weights-auto\)/);
    expect(existsSync(join(root, 'bad-2'))).toBe(false);
  });

  it('--hgb-fe without --x-h5 → usage error naming --x-h5', async () => {
    const result = await run(['train', '--x-csv', join(demo, 'X_train.csv'), '--y-csv', y(), '--hgb-fe', '--run-dir', join(root, 'bad-3')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/field 'inputs\.signal' \(--x-h5\): hgb_fe reads the raw signal/);
    expect(existsSync(join(root, 'bad-3'))).toBe(false);
  });

  it('an existing non-empty --run-dir is refused unless --resume', async () => {
    const result = await run(['train', '--x-h5', h5(), '--y-csv', y(), '--hgb-fe', '--run-dir', runDir, ...fast]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/not empty.*--resume/);
  });

  it('labels whose ids do not match the features → exit 3 and a failed run', async () => {
    const bad = join(root, 'y_bad.csv');
    const text = await readFile(y(), 'utf8');
    await writeFile(bad, text.replace(/\n0,/, '\n999999,'));
    const dir = join(root, 'bad-4');
    const result = await run(['train', '--x-h5', h5(), '--y-csv', bad, '--hgb-fe', '--run-dir', dir, ...fast]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/y_bad\.csv/);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.status).toBe('failed');
    expect(manifest.error.code).toBe('E_INPUT');
  });

  it('a class with fewer rows than --splits → exit 3 naming the class', async () => {
    const small = join(root, 'y_small.csv');
    const rows = (await readFile(y(), 'utf8')).trim().split('\n');
    let twos = 0;
    const edited = rows.map((line, i) => {
      if (i === 0) return line;
      const [id, label] = line.split(',');
      if (label === '2') {
        twos += 1;
        return twos <= 2 ? line : `${id},0`;
      }
      return line;
    });
    await writeFile(small, `${edited.join('\n')}\n`);
    const result = await run(['train', '--x-h5', h5(), '--y-csv', small, '--hgb-fe', '--run-dir', join(root, 'bad-5'), ...fast]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/class '2' has 2 rows, fewer than the 3 folds of cv\.splits \(--splits\)/);
  });

  it('predict without the inputs the run needs names them and why', async () => {
    const result = await run(['predict', '--run-dir', runDir, '--out', join(root, 'p.csv')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/this run needs inputs\.signal \(--x-h5\) \(base model hgb_fe: wavelet features are rebuilt/);
  });

  it('predict on a failed run and on a run without final models → exit 3', async () => {
    const failed = await run(['predict', '--run-dir', join(root, 'bad-4'), '--x-h5', h5(), '--out', join(root, 'p2.csv')]);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toMatch(/cannot predict: the run failed/);
    const noRefit = join(root, 'no-refit');
    const trained = await run(['train', '--x-h5', h5(), '--y-csv', y(), '--hgb-fe', '--no-refit-final', '--run-dir', noRefit, ...fast]);
    expect(trained.code).toBe(0);
    expect(existsSync(join(noRefit, 'models'))).toBe(false);
    const result = await run(['predict', '--run-dir', noRefit, '--x-h5', h5(), '--out', join(root, 'p3.csv')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cannot predict: the run has no final models/);
    expect(result.stderr).toMatch(/--no-refit-final/);
    expect(existsSync(join(root, 'p3.csv'))).toBe(false);
  });

  it('predict with an H5 of another width → exit 3; a missing run → exit 4', async () => {
    const wrong = join(root, 'wrong.h5');
    const { writeH5 } = await import('@pipeline/ingest');
    await writeH5(wrong, [{ key: 'features', value: { shape: [4, 300], data: new Float32Array(1200) } }]);
    const result = await run(['predict', '--run-dir', runDir, '--x-h5', wrong, '--out', join(root, 'p4.csv')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/has 300 columns but the run was trained on 1261/);
    const missing = await run(['predict', '--run-dir', join(root, 'nope'), '--x-h5', h5(), '--out', join(root, 'p5.csv')]);
    expect(missing.code).toBe(4);
  });

  it('predict with a CSV whose columns differ from training → exit 3 listing them', async () => {
    const tabRun = join(root, 'tab');
    const trained = await run(['train', '--x-csv', join(demo, 'X_train.csv'), '--y-csv', y(), '--drop-cols', 'fold,subset', '--run-dir', tabRun, ...fast]);
    expect(trained.code).toBe(0);
    const csv = (await readFile(join(demo, 'X_test.csv'), 'utf8')).replace(/^([^\n]*)sig_std/, '$1sig_sd');
    await mkdir(join(root, 'csv'), { recursive: true });
    await writeFile(join(root, 'csv/X_test.csv'), csv);
    const result = await run(['predict', '--run-dir', tabRun, '--x-csv', join(root, 'csv/X_test.csv'), '--out', join(root, 'p6.csv')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/missing: sig_std; not in training: sig_sd/);
    const ok = await run(['predict', '--run-dir', tabRun, '--x-csv', join(demo, 'X_test.csv'), '--out', join(root, 'p7.csv')]);
    expect(ok.code).toBe(0);
    const header = (await readFile(join(root, 'p7.csv'), 'utf8')).split('\n')[0];
    expect(header).toBe('id,pred,proba_0,proba_1,proba_2');
  });
});

describe('train options', () => {
  it('--group-col keeps every subject in one fold; --fold-col reproduces the fold column', async () => {
    const csvText = (await readFile(join(demo, 'X_train.csv'), 'utf8')).trim().split('\n');
    const header = csvText[0]!.split(',');
    const rows = csvText.slice(1).map((l) => l.split(','));
    const subject = rows.map((r) => r[header.indexOf('subject')]!);
    const foldColumn = rows.map((r) => Number(r[header.indexOf('fold')]));
    const grouped = join(root, 'grouped');
    const g = await run(['train', '--x-csv', join(demo, 'X_train.csv'), '--y-csv', y(), '--group-col', 'subject', '--drop-cols', 'fold,subset', '--run-dir', grouped, ...fast]);
    expect(g.code).toBe(0);
    const gFolds = JSON.parse(await readFile(join(grouped, 'folds.json'), 'utf8'));
    const foldOfSubject = new Map<string, number>();
    gFolds.fold.forEach((fold: number, i: number) => {
      const s = subject[gFolds.rows[i]]!;
      expect(foldOfSubject.get(s) ?? fold).toBe(fold);
      foldOfSubject.set(s, fold);
    });
    const manifest = JSON.parse(await readFile(join(grouped, 'manifest.json'), 'utf8'));
    expect(manifest.splitter.kind).toBe('stratified-group-k-fold');
    expect(manifest.views.tabular.columns).not.toContain('subject');
    const predefined = join(root, 'predefined');
    const p = await run(['train', '--x-csv', join(demo, 'X_train.csv'), '--y-csv', y(), '--fold-col', 'fold', '--drop-cols', 'subset', '--run-dir', predefined, ...fast]);
    expect(p.code).toBe(0);
    const pFolds = JSON.parse(await readFile(join(predefined, 'folds.json'), 'utf8'));
    expect(pFolds.fold).toEqual(pFolds.rows.map((r: number) => foldColumn[r]));
  });

  it('--undersample-balanced keeps equal class counts and records the kept rows; --class-weights-auto is recorded', async () => {
    const dir = join(root, 'under');
    const result = await run(['train', '--x-h5', h5(), '--y-csv', y(), '--hgb-fe', '--undersample-balanced', '--undersample-seed', '9', '--run-dir', dir, '--json', ...fast]);
    expect(result.code).toBe(0);
    const kept = JSON.parse(await readFile(join(dir, 'balance/undersample_balanced.json'), 'utf8'));
    const labels = (await readFile(y(), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(',')[1]);
    const counts = new Map<string, number>();
    for (const r of kept.keptRows as number[]) counts.set(labels[r]!, (counts.get(labels[r]!) ?? 0) + 1);
    const smallest = Math.min(...['0', '1', '2'].map((c) => labels.filter((l) => l === c).length));
    expect([...counts.values()]).toEqual([smallest, smallest, smallest]);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.imbalance).toMatchObject({ strategy: 'undersample-balanced', seed: 9, keptRows: 3 * smallest });
    const weighted = join(root, 'weighted');
    const w = await run(['train', '--x-h5', h5(), '--y-csv', y(), '--hgb-fe', '--class-weights-auto', '--run-dir', weighted, '--timing', ...fast]);
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(/Timings/);
    expect(w.stdout).toMatch(/hgb_fe\s+refit\s+360/);
    expect(JSON.parse(await readFile(join(weighted, 'manifest.json'), 'utf8')).imbalance.strategy).toBe('class-weights-auto');
  });
});

describe('--workers', () => {
  it('--workers 1 fits the folds in this process, --workers 2 in two worker threads, with the same bytes', async () => {
    const fits = (stderr: string) =>
      stderr
        .split('\n')
        .filter((line) => line.includes('"msg":"hist-gradient-boosting fit"'))
        .map((line) => JSON.parse(line) as { worker?: number; threads: number });
    const flags = (dir: string) => ['train', '--x-h5', h5(), '--y-csv', y(), '--hgb-fe', '--hgb-max-iter', '4', '--splits', '2', '--run-dir', dir, '--json', '--log-level', 'debug'];
    const one = await run([...flags(join(root, 'workers1')), '--workers', '1']);
    expect(one.code).toBe(0);
    const inProcess = fits(one.stderr);
    // 2 OOF fits and the refit, none in a worker thread.
    expect(inProcess).toHaveLength(3);
    expect(inProcess.filter((fit) => fit.worker !== undefined)).toEqual([]);
    const two = await run([...flags(join(root, 'workers2')), '--workers', '2']);
    expect(two.code).toBe(0);
    const pooled = fits(two.stderr);
    expect(pooled).toHaveLength(3);
    // The 2 OOF fits run in the worker threads (the refit of an executor the caller names runs here).
    expect(pooled.filter((fit) => typeof fit.worker === 'number')).toHaveLength(2);
    const oof = (dir: string) => readFile(join(root, dir, 'oof/z_oof.arrow'));
    expect(Buffer.compare(await oof('workers1'), await oof('workers2'))).toBe(0);
  });
});

describe('temporal base models through train and predict', () => {
  it('--with-lstm --with-cnn stack with HGB in the frozen order; predict needs --x-h5', async () => {
    const dir = join(root, 'temporal');
    const result = await run([
      'train', '--x-h5', h5(), '--y-csv', y(), '--hgb-fe', '--with-lstm', '--lstm-fast', '--lstm-epochs', '1', '--lstm-downsample', '25',
      '--with-cnn', '--cnn-epochs', '1', '--cnn-downsample', '5', '--backend', 'wasm', '--run-dir', dir, '--json', ...fast,
    ]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.baseModels).toEqual(['hgb_fe', 'lstm', 'cnn']);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.baseModels.map((b: { name: string; input: string }) => `${b.name}:${b.input}`)).toEqual(['hgb_fe:dwt', 'lstm:signal', 'cnn:signal']);
    expect(manifest.environment.tfjs.backend).toBe('wasm');
    expect(manifest.baseModels[1].args.epochs).toBe(1);
    expect(manifest.baseModels[1].args.downsample).toBe(25);
    const z = await readArrowTable(join(dir, 'oof/z_oof.arrow'));
    expect(z.columns.map((c) => c.split(':')[0])).toEqual(['hgb_fe', 'hgb_fe', 'hgb_fe', 'lstm', 'lstm', 'lstm', 'cnn', 'cnn', 'cnn']);
    const missing = await run(['predict', '--run-dir', dir, '--x-csv', join(demo, 'X_test.csv'), '--out', join(root, 'pt.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/inputs\.signal \(--x-h5\) \(base model hgb_fe, lstm, cnn/);
    const ok = await run(['predict', '--run-dir', dir, '--x-h5', join(demo, 'X_test.h5'), '--out', join(root, 'pt.csv'), '--backend', 'wasm']);
    expect(ok.code).toBe(0);
    expect((await readFile(join(root, 'pt.csv'), 'utf8')).trim().split('\n').length).toBe(61);
  });

  it('--no-with-hgb: a stack of the LSTM alone trains and predicts; no base model at all is a usage error', async () => {
    const dir = join(root, 'lstm-only');
    const result = await run([
      'train', '--x-h5', h5(), '--y-csv', y(), '--no-with-hgb', '--with-lstm', '--lstm-fast', '--lstm-epochs', '1', '--lstm-downsample', '25',
      '--run-dir', dir, '--json', ...fast,
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).baseModels).toEqual(['lstm']);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.views)).toEqual(['signal']);
    const ok = await run(['predict', '--run-dir', dir, '--x-h5', join(demo, 'X_test.h5'), '--out', join(root, 'plstm.csv')]);
    expect(ok.code).toBe(0);
    const none = await run(['train', '--x-h5', h5(), '--y-csv', y(), '--no-with-hgb', '--run-dir', join(root, 'none')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no base model is selected/);
  });

  it('--lstm-* flags without --with-lstm are a usage error', async () => {
    const result = await run(['train', '--x-h5', h5(), '--y-csv', y(), '--hgb-fe', '--lstm-epochs', '2', '--run-dir', join(root, 'bad-lstm')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--lstm-\* flags were given without --with-lstm/);
  });
});
