import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { argmaxRows, createRng } from '@pipeline/core';
import { differingRunFiles, openRun } from '@pipeline/runs';
import { writeImage } from '@pipeline/spectrogram';
import { sequentialExecutor } from '@pipeline/model-selection';
import { selectBackend } from '@pipeline/tf';
import { localParallelExecutor, parseTrainConfig, planBaseModels, predictRun, trainRun, type TrainConfigInput } from '@pipeline/workflows';

const SIZE = 16;
const TRAIN = 60;
const TEST = 12;
let root: string;
/** The generated grey pixels (0..255) of every image, train rows then test rows. */
const pixels: Uint8Array[] = [];
const labels: number[] = [];

/** A noisy 16×16 image whose bright horizontal band sits in the top half (class 1) or the bottom half (class 0). */
function bandImage(label: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const band = label === 1 ? 2 + Math.floor(rng.uniform() * 4) : 10 + Math.floor(rng.uniform() * 4);
  const out = new Uint8Array(SIZE * SIZE);
  for (let r = 0; r < SIZE; r++) for (let c = 0; c < SIZE; c++) out[r * SIZE + c] = Math.floor(60 * rng.uniform()) + (Math.abs(r - band) <= 1 ? 150 : 0);
  return out;
}

const bytes = (m: { data: Float32Array }) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
const cnn2dArgs = { epochs: 6, batchSize: 16, learningRate: 0.01, stemFilters: 4, branchFilters: 2, blocks: 1, patience: 0 };
// Folds in this thread unless a test is about the executor: the default executor would start a
// pool of TensorFlow.js workers for cnn2d on >= 2 cores (same bytes, see the worker-thread check below).
const inProcess = { executor: sequentialExecutor };

function config(images = 'images.csv'): TrainConfigInput {
  return {
    seed: 11,
    inputs: {
      table: { file: join(root, 'table.csv') },
      images: { file: join(root, images), labelCol: 'label', height: SIZE, width: SIZE },
    },
    baseModels: [
      { kind: 'hgb', args: { maxIter: 5, minSamplesLeaf: 5 } },
      { kind: 'cnn2d', args: cnn2dArgs },
    ],
    cv: { splits: 3 },
    backend: 'wasm',
  };
}

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'pipeline-imageview-'));
  await mkdir(join(root, 'img'));
  const rng = createRng(3);
  for (let i = 0; i < TRAIN + TEST; i++) {
    labels.push(i % 2);
    pixels.push(bandImage(i % 2, 1000 + i));
    await writeImage(join(root, 'img', `r${i}.png`), { width: SIZE, height: SIZE, data: pixels[i]! });
  }
  // The image list in file order, the table in reverse order: rows are aligned by id.
  const list = (from: number, to: number) => ['id,path,label', ...Array.from({ length: to - from }, (_, k) => `r${from + k},img/r${from + k}.png,${labels[from + k]}`)].join('\n') + '\n';
  await writeFile(join(root, 'images.csv'), list(0, TRAIN));
  await writeFile(join(root, 'new-images.csv'), list(TRAIN, TRAIN + TEST));
  const table = (from: number, to: number) =>
    ['id,x', ...Array.from({ length: to - from }, (_, k) => `r${to - 1 - k},${rng.uniform().toFixed(4)}`)].join('\n') + '\n';
  await writeFile(join(root, 'table.csv'), table(0, TRAIN));
  await writeFile(join(root, 'new-table.csv'), table(TRAIN, TRAIN + TEST));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the image view and the 2D CNN base model', () => {
  it('plans cnn2d on the image view with the image size and the package defaults', async () => {
    const [, planned] = await planBaseModels(parseTrainConfig({ ...config(), baseModels: [{ kind: 'hgb' }, { kind: 'cnn2d' }] }));
    expect(planned!.input).toBe('image');
    expect(planned!.spec.kind).toBe('cnn2d');
    expect(planned!.spec.args).toMatchObject({ height: SIZE, width: SIZE, epochs: 20, blocks: 2, stemFilters: 8 });
    expect(() => parseTrainConfig({ inputs: { table: { file: 't.csv', labelCol: 'y' } }, baseModels: [{ kind: 'cnn2d' }] })).toThrow(/cnn2d reads the image view but inputs.images is missing/);
  });

  it('trains hgb + cnn2d: cnn2d OOF beats chance; predict reproduces the stored stack; same seed → same bytes', async () => {
    const runDir = join(root, 'run');
    const result = await trainRun(config(), { runDir, ...inProcess });
    expect(result.baseModels).toEqual(['hgb_tabular', 'cnn2d']);
    const run = await openRun(runDir);
    expect(run.manifest.views.image).toMatchObject({ source: 'images-csv', recipe: { kind: 'grey-image', height: SIZE, width: SIZE } });
    expect(run.manifest.baseModels.find((m) => m.name === 'cnn2d')).toMatchObject({ kind: 'cnn2d', input: 'image', args: { height: SIZE, width: SIZE, epochs: 6 } });
    // OOF accuracy of the 2D CNN from its stored OOF columns, against the majority-class rate.
    const oof = await run.oof();
    const expected = oof.ids.map((id) => labels[Number(id.slice(1))]!);
    expect(Array.from(oof.labels)).toEqual(expected);
    const predictedOof = argmaxRows(oof.base.cnn2d!);
    const accuracy = expected.filter((y, i) => predictedOof[i] === y).length / expected.length;
    const ones = expected.filter((y) => y === 1).length;
    const chance = Math.max(ones, expected.length - ones) / expected.length;
    expect(chance).toBe(0.5);
    expect(accuracy).toBeGreaterThan(chance + 0.2);

    // predictRun on new rows reads their images through the stored settings and gives exactly
    // what the stored stack gives on an independently built image matrix.
    const out = join(root, 'pred.csv');
    const predicted = await predictRun({ runDir, inputs: { table: { file: join(root, 'new-table.csv') }, images: { file: join(root, 'new-images.csv') } }, out });
    expect(predicted.rows).toBe(TEST);
    const rows = predicted.ids!.map((id) => Number(id.slice(1)));
    const image = new Float32Array(TEST * SIZE * SIZE);
    rows.forEach((r, k) => pixels[r]!.forEach((v, j) => (image[k * SIZE * SIZE + j] = v / 255)));
    const tableText = (await readFile(join(root, 'new-table.csv'), 'utf8')).trim().split('\n').slice(1);
    const x = new Float32Array(rows.map((r) => Number(tableText.find((line) => line.startsWith(`r${r},`))!.split(',')[1])));
    const stack = await run.loadStack();
    const direct = await stack.predictProba({ image: { rows: TEST, cols: SIZE * SIZE, data: image }, tabular: { rows: TEST, cols: 1, data: x } });
    stack.dispose();
    expect(bytes(predicted.proba)).toEqual(bytes(direct as { data: Float32Array }));
    const testAccuracy = rows.filter((r, k) => predicted.predicted[k] === labels[r]).length / TEST;
    expect(testAccuracy).toBeGreaterThan(0.5);
    const again = await predictRun({ runDir, inputs: { table: { file: join(root, 'new-table.csv') }, images: { file: join(root, 'new-images.csv') } } });
    expect(bytes(again.proba)).toEqual(bytes(predicted.proba));
    expect(await readFile(out, 'utf8')).toMatch(/^id,pred,/);

    // Same config and seed → byte-identical run files.
    const second = join(root, 'run-again');
    await trainRun(config(), { runDir: second, ...inProcess });
    expect(await differingRunFiles(runDir, second)).toEqual([]);
    // Fold tasks in worker threads (the executor rebuilds cnn2d from its kind and args): the same bytes.
    const parallel = join(root, 'run-parallel');
    await trainRun(config(), { runDir: parallel, executor: localParallelExecutor({ workers: 2, backend: 'wasm' }) });
    expect(await differingRunFiles(runDir, parallel)).toEqual([]);
  }, 240_000);

  it('an image of another size or a missing image is E_INPUT naming the file', async () => {
    await writeImage(join(root, 'img', 'small.png'), { width: 8, height: 12, data: new Uint8Array(96) });
    const listed = (await readFile(join(root, 'images.csv'), 'utf8')).replace('img/r5.png', 'img/small.png');
    await writeFile(join(root, 'bad-size.csv'), listed);
    await expect(trainRun(config('bad-size.csv'), { runDir: join(root, 'bad-size'), ...inProcess })).rejects.toMatchObject({
      code: 'E_INPUT',
      file: join(root, 'img', 'small.png'),
      message: expect.stringContaining(`small.png is 12×8 (height×width), but inputs.images expects ${SIZE}×${SIZE}`),
    });
    await writeFile(join(root, 'missing.csv'), listed.replace('img/small.png', 'img/nowhere.png'));
    await expect(trainRun(config('missing.csv'), { runDir: join(root, 'missing'), ...inProcess })).rejects.toMatchObject({
      code: 'E_INPUT',
      file: join(root, 'img', 'nowhere.png'),
      message: expect.stringMatching(/image .*nowhere\.png \(line 7 of .*missing\.csv\) is missing/),
    });
  });

  it('reads an image folder by name pattern (the only view, labels from a CSV) and predicts a folder of new rows', async () => {
    await mkdir(join(root, 'folder'));
    await mkdir(join(root, 'new-folder'));
    for (let i = 0; i < TRAIN + TEST; i++) {
      await writeImage(join(root, i < TRAIN ? 'folder' : 'new-folder', `img-${i}.png`), { width: SIZE, height: SIZE, data: pixels[i]! });
    }
    await writeFile(join(root, 'folder', 'notes.txt'), 'not an image\n');
    await writeFile(join(root, 'folder-labels.csv'), ['id,label', ...Array.from({ length: TRAIN }, (_, i) => `${i},${labels[i]}`)].join('\n') + '\n');
    const folderConfig: TrainConfigInput = {
      seed: 5,
      inputs: { images: { dir: join(root, 'folder'), pattern: 'img-{id}.png', height: SIZE, width: SIZE }, labels: { file: join(root, 'folder-labels.csv') } },
      baseModels: [{ kind: 'cnn2d', args: cnn2dArgs }],
      cv: { splits: 3 },
      backend: 'wasm',
    };
    const runDir = join(root, 'folder-run');
    await trainRun(folderConfig, { runDir, ...inProcess });
    const run = await openRun(runDir);
    expect(run.manifest.views.image).toMatchObject({ source: 'images-dir', recipe: { pattern: 'img-{id}.png', height: SIZE, width: SIZE } });
    const oof = await run.oof();
    // Rows in file name order: img-0, img-1, img-10, …; notes.txt is skipped.
    const byName = Array.from({ length: TRAIN }, (_, i) => `img-${i}.png`).sort().map((name) => name.slice(4, -4));
    expect(oof.ids).toEqual(byName);
    expect(Array.from(oof.labels)).toEqual(byName.map((id) => labels[Number(id)]));
    const predictedOof = argmaxRows(oof.base.cnn2d!);
    const accuracy = byName.filter((id, i) => predictedOof[i] === labels[Number(id)]).length / TRAIN;
    expect(accuracy).toBeGreaterThan(0.7);
    const predicted = await predictRun({ runDir, inputs: { images: { dir: join(root, 'new-folder') } } });
    expect(predicted.ids).toEqual(Array.from({ length: TEST }, (_, k) => `img-${TRAIN + k}.png`).sort().map((name) => name.slice(4, -4)));
    const image = new Float32Array(TEST * SIZE * SIZE);
    predicted.ids!.forEach((id, k) => pixels[Number(id)]!.forEach((v, j) => (image[k * SIZE * SIZE + j] = v / 255)));
    const stack = await run.loadStack();
    const direct = await stack.predictProba({ image: { rows: TEST, cols: SIZE * SIZE, data: image } });
    stack.dispose();
    expect(bytes(predicted.proba)).toEqual(bytes(direct as { data: Float32Array }));
    expect(() => parseTrainConfig({ ...folderConfig, inputs: { ...folderConfig.inputs, images: { file: 'x.csv', dir: 'img', height: SIZE, width: SIZE } } })).toThrow(/exactly one of file .* and dir/);
  }, 240_000);
});
