import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  PipelineError,
  exitCodeFor,
  loadModel,
  readArtifact,
  registerLoader,
  saveArtifact,
  throwIfAborted,
  type ModelArtifact,
} from '@pipeline/core';

describe('PipelineError and exit codes', () => {
  it('composes file, field and hint into the message', () => {
    const e = new PipelineError('E_INPUT', 'non-numeric cell "abc"', { file: 'X.csv', field: 'age', hint: 'use a number' });
    expect(e.message).toBe("X.csv, field 'age': non-numeric cell \"abc\" (use a number)");
    expect(e.code).toBe('E_INPUT');
    expect(e.file).toBe('X.csv');
  });

  it('maps every code to the documented exit code', () => {
    const cases: Array<[PipelineError['code'], number]> = [
      ['E_USAGE', 2],
      ['E_INPUT', 3],
      ['E_SCHEMA', 3],
      ['E_STATE', 3],
      ['E_NOT_FOUND', 4],
      ['E_ABORTED', 130],
      ['E_INTERNAL', 1],
    ];
    for (const [code, exit] of cases) expect(exitCodeFor(new PipelineError(code, 'x'))).toBe(exit);
    expect(exitCodeFor(new Error('plain'))).toBe(1);
    const abort = new Error('stop');
    abort.name = 'AbortError';
    expect(exitCodeFor(abort)).toBe(130);
  });

  it('throwIfAborted throws E_ABORTED only once aborted', () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal)).not.toThrow();
    controller.abort();
    expect(() => throwIfAborted(controller.signal, 'training')).toThrow(/training was interrupted/);
  });
});

describe('artifacts', () => {
  const artifact: ModelArtifact = {
    kind: 'test-constant',
    formatVersion: 1,
    args: { value: 0.25 },
    state: { classes: [0, 1] },
    files: [{ path: 'weights/w.bin', data: Uint8Array.from([1, 2, 3, 250]) }],
    children: {
      inner: { kind: 'test-constant', formatVersion: 1, args: { value: 0.5 }, state: { classes: [0, 1] }, files: [] },
    },
  };

  it('round-trips through a folder and verifies checksums', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'core-artifact-'));
    await saveArtifact(dir, artifact);
    const back = await readArtifact(dir);
    expect(back.kind).toBe('test-constant');
    expect(back.args).toEqual({ value: 0.25 });
    expect(Array.from(back.files[0]!.data)).toEqual([1, 2, 3, 250]);
    expect(back.children?.inner?.args).toEqual({ value: 0.5 });
    await writeFile(join(dir, 'weights/w.bin'), Uint8Array.from([1, 2, 3, 251]));
    await expect(readArtifact(dir)).rejects.toThrow(/does not match the checksum/);
    const header = JSON.parse(await readFile(join(dir, 'artifact.json'), 'utf8'));
    expect(header.files[0].bytes).toBe(4);
  });

  it('loads through the registry by kind and names unknown kinds', async () => {
    registerLoader('test-constant', async (a) => ({
      kind: a.kind,
      classes: [0, 1],
      nFeatures: 1,
      predictProba: async (x) => ({ rows: x.rows, cols: 2, data: new Float32Array(x.rows * 2).fill(a.args.value as number) }),
      predict: async (x) => new Int32Array(x.rows),
      toArtifact: async () => a,
      dispose: () => {},
    }));
    const model = await loadModel(artifact);
    const p = await model.predictProba({ rows: 2, cols: 1, data: new Float32Array(2) });
    expect(Array.from(p.data)).toEqual([0.25, 0.25, 0.25, 0.25]);
    await expect(loadModel({ ...artifact, kind: 'nope' })).rejects.toThrow(/no loader is registered for model kind 'nope'/);
  });
});
