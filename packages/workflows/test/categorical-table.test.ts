import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { PipelineError } from '@pipeline/core';
import { readTypedCsv } from '@pipeline/ingest';
import { sequentialExecutor } from '@pipeline/model-selection';
import { openRun } from '@pipeline/runs';
import { predictRun, trainRun } from '@pipeline/workflows';

let root: string;
const COLORS = ['red', 'green', 'blue', 'dark, "navy"'];
const SHAPES = ['circle', 'square'];

/** A deterministic LCG (tests only): rows whose label is decided by the colour and x. */
function rows(n: number, seed: number, colors = COLORS): string[] {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const color = colors[Math.floor(next() * colors.length)]!;
    const shape = next() < 0.1 ? '' : SHAPES[Math.floor(next() * 2)]!;
    const x = (next() * 4 - 2).toFixed(3);
    const label = (color === 'red' || color === 'dark, "navy"') !== Number(x) > 1.5 ? 'yes' : 'no';
    out.push(`r${seed}_${i},"${color.replaceAll('"', '""')}",${shape},${x},${label}`);
  }
  return out;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'workflows-cat-'));
  await writeFile(join(root, 'train.csv'), `id,color,shape,x,label\n${rows(240, 3).join('\n')}\n`);
});

describe('a tabular CSV with categorical columns', () => {
  it('trains, stores the code tables in the run, and predicts with unseen categories counted (never a crash)', async () => {
    const runDir = join(root, 'run');
    const result = await trainRun(
      {
        seed: 4,
        inputs: { table: { file: join(root, 'train.csv'), labelCol: 'label' } },
        baseModels: [{ kind: 'hgb', args: { maxIter: 20, maxLeafNodes: 8 } }],
        cv: { splits: 3 },
      },
      { runDir, executor: sequentialExecutor },
    );
    // Native categorical splits: the GBDT gets the categorical columns' indices.
    expect(result.oof.hgb_tabular!.accuracy).toBeGreaterThan(0.85);
    const run = await openRun(runDir);
    expect(run.manifest.baseModels[0]!.args).toMatchObject({ categoricalFeatures: [0, 1] });
    expect(run.manifest.views.tabular).toMatchObject({
      columns: ['color', 'shape', 'x'],
      categoricalColumns: ['color', 'shape'],
      encoding: 'encoding/table.json',
      featureGroups: { numeric: ['x'], categorical: ['color', 'shape'], dropped: [] },
    });
    const stored = JSON.parse(await readFile(join(runDir, 'encoding/table.json'), 'utf8'));
    // Code order: UTF-16 code units ("blue" < "dark, …" < "green" < "red").
    expect(stored.columns.color.categories).toEqual(['blue', 'dark, "navy"', 'green', 'red']);
    expect(stored.columns.shape.categories).toEqual(['circle', 'square']);
    // Round trip: the run's tables are the ones the reader learns from the training rows.
    const fresh = await readTypedCsv(join(root, 'train.csv'), { dropCols: ['label'] });
    expect(await run.categoryEncoding()).toEqual(fresh.encoding);
    expect(stored.columns.shape.missing + stored.columns.shape.counts.reduce((a: number, b: number) => a + b, 0)).toBe(240);

    // Test rows: two colours training never saw, columns in another order.
    const test = rows(30, 8, ['red', 'green', 'purple']).map((line) => {
      const [id, color, shape, x] = line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
      return `${id},${x},${shape},${color}`;
    });
    const unseen = test.filter((line) => line.endsWith('"purple"')).length;
    expect(unseen).toBeGreaterThan(0);
    await writeFile(join(root, 'test.csv'), `id,x,shape,color\n${test.join('\n')}\n`);
    const warnings: string[] = [];
    const logger = { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} };
    const predicted = await predictRun({ runDir, inputs: { table: { file: join(root, 'test.csv') } } }, { logger });
    expect(predicted.rows).toBe(30);
    expect(predicted.unknownCategories).toEqual({ color: unseen, shape: 0 });
    expect(warnings.join('\n')).toContain(`${unseen} cells of categorical column 'color'`);
    expect(Array.from(predicted.proba.data).every((p) => p >= 0 && p <= 1)).toBe(true);
    // Known-colour rows follow the rule the stack learned.
    const known = test.map((line, i) => [line, i] as const).filter(([line]) => !line.endsWith('"purple"'));
    const right = known.filter(([line, i]) => {
      const [, x, , color] = line.split(',');
      const yes = (color === '"red"') !== Number(x) > 1.5;
      return predicted.classNames[predicted.predicted[i]!] === (yes ? 'yes' : 'no');
    }).length;
    expect(right / known.length).toBeGreaterThan(0.85);

    // A missing feature column is an error naming it.
    await writeFile(join(root, 'noshape.csv'), `id,x,color\nq1,0.5,red\n`);
    const error = await predictRun({ runDir, inputs: { table: { file: join(root, 'noshape.csv') } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect([(error as PipelineError).code, (error as PipelineError).message]).toEqual(['E_SCHEMA', expect.stringContaining('missing: shape')]);
    // A string in a numeric column at predict is an error naming the line and column.
    await writeFile(join(root, 'badx.csv'), `id,x,shape,color\nq1,big,circle,red\n`);
    const bad = await predictRun({ runDir, inputs: { table: { file: join(root, 'badx.csv') } } }).catch((e: unknown) => e);
    expect((bad as PipelineError).message).toContain(`line 2, column 'x': "big" is not a number`);
  }, 120_000);
});
