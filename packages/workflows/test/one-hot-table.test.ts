import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { PipelineError } from '@pipeline/core';
import { sequentialExecutor } from '@pipeline/model-selection';
import { openRun } from '@pipeline/runs';
import { ImputedClassifier } from '@pipeline/stacking';
import { predictRun, trainRun, type TrainConfigInput } from '@pipeline/workflows';

let root: string;
const COLORS = ['red', 'green', 'blue'];
const SHAPES = ['circle', 'square'];
interface Row {
  id: string;
  color: string;
  shape: string;
  x: string;
  label: string;
}

/** A deterministic LCG (tests only): the label follows the colour and x; 10 % of shapes are missing. */
function rows(n: number, seed: number, colors = COLORS): Row[] {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: n }, (_, i) => {
    const color = colors[Math.floor(next() * colors.length)]!;
    const shape = next() < 0.1 ? '' : SHAPES[Math.floor(next() * 2)]!;
    const x = (next() * 4 - 2).toFixed(3);
    const label = (color === 'red') !== Number(x) > 1.5 ? 'yes' : 'no';
    return { id: `r${seed}_${i}`, color, shape, x, label };
  });
}

const MANUAL_COLUMNS = ['color=blue', 'color=green', 'color=red', 'shape=circle', 'shape=square', 'x'];
/** The same rows one-hot encoded by hand (categories in code order; missing or unseen: zeros). */
const manual = (r: Row) => [...['blue', 'green', 'red'].map((c) => (r.color === c ? 1 : 0)), ...SHAPES.map((c) => (r.shape === c ? 1 : 0)), r.x].join(',');
const train = rows(240, 3);
const test = rows(30, 8, ['red', 'green', 'purple']);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'workflows-onehot-'));
  await writeFile(join(root, 'train.csv'), `id,color,shape,x,label\n${train.map((r) => [r.id, r.color, r.shape, r.x, r.label].join(',')).join('\n')}\n`);
  await writeFile(join(root, 'manual.csv'), `id,${MANUAL_COLUMNS.join(',')},label\n${train.map((r) => `${r.id},${manual(r)},${r.label}`).join('\n')}\n`);
  await writeFile(join(root, 'test.csv'), `id,color,shape,x\n${test.map((r) => [r.id, r.color, r.shape, r.x].join(',')).join('\n')}\n`);
  await writeFile(join(root, 'test-manual.csv'), `id,${MANUAL_COLUMNS.join(',')}\n${test.map((r) => `${r.id},${manual(r)}`).join('\n')}\n`);
});

const config = (file: string, table: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): TrainConfigInput => ({
  seed: 4,
  inputs: { table: { file: join(root, file), labelCol: 'label', ...table } },
  baseModels: [{ kind: 'hgb', args: { maxIter: 15, maxLeafNodes: 8 } }],
  cv: { splits: 3 },
  ...(Object.keys(meta).length === 0 ? {} : { meta }),
});

describe('inputs.table.categorical: onehot', () => {
  it('a one-hot encoded run equals the run on the manually one-hot encoded numeric table (OOF and predictions, unseen = zeros)', async () => {
    const encoded = await trainRun(config('train.csv', { categorical: 'onehot' }), { runDir: join(root, 'onehot'), executor: sequentialExecutor });
    const plain = await trainRun(config('manual.csv'), { runDir: join(root, 'manual'), executor: sequentialExecutor });
    expect(encoded.oof).toEqual(plain.oof);
    const run = await openRun(join(root, 'onehot'));
    expect(run.manifest.views.tabular).toMatchObject({
      columns: ['color', 'shape', 'x'],
      categoricalColumns: ['color', 'shape'],
      oneHotColumns: ['color', 'shape'],
      featureNames: MANUAL_COLUMNS,
      featureGroups: { numeric: ['x'], categorical: ['color', 'shape'], oneHot: { color: ['color=blue', 'color=green', 'color=red'], shape: ['shape=circle', 'shape=square'] } },
    });
    // Nothing is left for native splits.
    expect(run.manifest.baseModels[0]!.args['categoricalFeatures']).toBeUndefined();
    const a = await predictRun({ runDir: join(root, 'onehot'), inputs: { table: { file: join(root, 'test.csv') } } });
    const b = await predictRun({ runDir: join(root, 'manual'), inputs: { table: { file: join(root, 'test-manual.csv') } } });
    expect(a.unknownCategories.color).toBe(test.filter((r) => r.color === 'purple').length);
    expect(a.unknownCategories.color).toBeGreaterThan(0);
    expect(Array.from(a.proba.data)).toEqual(Array.from(b.proba.data));
  }, 120_000);

  it('per column: one-hot colour, native shape (the GBDT splits on the shape code at its new index)', async () => {
    await trainRun(config('train.csv', { categorical: { color: 'onehot' } }), { runDir: join(root, 'mixed'), executor: sequentialExecutor });
    const run = await openRun(join(root, 'mixed'));
    expect(run.manifest.views.tabular!.featureNames).toEqual(['color=blue', 'color=green', 'color=red', 'shape', 'x']);
    expect(run.manifest.baseModels[0]!.args).toMatchObject({ categoricalFeatures: [3] });
  }, 120_000);

  it('refuses a one-hot column with too many categories, and a per-column setting on a numeric column', async () => {
    const many = await trainRun(config('train.csv', { categorical: 'onehot', maxOneHotCategories: 2 }), { runDir: join(root, 'many'), executor: sequentialExecutor }).catch((e: unknown) => e);
    expect(many).toBeInstanceOf(PipelineError);
    expect([(many as PipelineError).code, (many as PipelineError).field, (many as PipelineError).message]).toEqual([
      'E_INPUT',
      'inputs.table.categorical.color',
      expect.stringContaining("categorical column 'color' has 3 categories, more than the 2 of a one-hot encoding (encode it natively"),
    ]);
    const numeric = await trainRun(config('train.csv', { categorical: { x: 'onehot' } }), { runDir: join(root, 'num'), executor: sequentialExecutor }).catch((e: unknown) => e);
    expect([(numeric as PipelineError).code, (numeric as PipelineError).field]).toEqual(['E_USAGE', 'inputs.table.categorical.x']);
  }, 120_000);

  it('meta.passthrough: the tabular view reaches the meta-learner with native categories one-hot and missing values filled (median)', async () => {
    await writeFile(join(root, 'holes.csv'), `id,color,shape,x,label\n${train.map((r, i) => [r.id, r.color, r.shape, i % 9 === 0 ? '' : r.x, r.label].join(',')).join('\n')}\n`);
    await trainRun(config('holes.csv', {}, { passthrough: ['tabular'], missing: 'median' }), { runDir: join(root, 'pass'), executor: sequentialExecutor });
    const run = await openRun(join(root, 'pass'));
    const stack = await run.loadStack();
    expect(stack.columns).toEqual(['hgb_tabular:proba_yes', 'tabular:color=blue', 'tabular:color=green', 'tabular:color=red', 'tabular:shape=circle', 'tabular:shape=square', 'tabular:x']);
    // The stored fill of x is the median of the training rows' x (computed here independently).
    const xs = train.filter((_, i) => i % 9 !== 0).map((r) => Math.fround(Number(r.x))).sort((p, q) => p - q);
    const median = xs.length % 2 === 1 ? xs[(xs.length - 1) / 2]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2;
    expect(stack.meta).toBeInstanceOf(ImputedClassifier);
    expect((stack.meta as ImputedClassifier).fill[6]).toBe(median);
    const predicted = await predictRun({ runDir: join(root, 'pass'), inputs: { table: { file: join(root, 'test.csv') } } });
    expect(Array.from(predicted.proba.data).every((p) => p >= 0 && p <= 1)).toBe(true);
  }, 120_000);
});
