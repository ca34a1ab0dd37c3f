import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRng } from '@pipeline/core';
import { fingerprintFile } from '@pipeline/runs';
import { BackgroundFingerprint, sha256InWorker } from '../src/inputs/background-fingerprint.js';

describe('BackgroundFingerprint', () => {
  let dir: string;
  let big: string;
  let bigBytes: Buffer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'background-fingerprint-'));
    // 9 MiB + 123 bytes of seeded noise: three 4 MiB blocks of the worker, the last one partial.
    const rng = createRng(11);
    bigBytes = Buffer.alloc(9 * 1024 * 1024 + 123);
    for (let i = 0; i < bigBytes.length; i++) bigBytes[i] = rng.nextUint32() & 0xff;
    big = join(dir, 'big.h5');
    await writeFile(big, bigBytes);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hashes on a worker thread to the sha256 node:crypto gives for the whole file', async () => {
    const expected = createHash('sha256').update(bigBytes).digest('hex');
    expect(await sha256InWorker(big)).toEqual({ sha256: expected, bytes: bigBytes.length });
  });

  it('gives exactly what fingerprintFile gives (fields, order, values), with and without extras', async () => {
    const small = join(dir, 'y.csv');
    await writeFile(small, 'id,label\na,1\nb,2\n');
    for (const [file, role, extra] of [
      [big, 'x-h5', { shape: [7, 3], dataset: 'features' }],
      [small, 'y-csv', { shape: [2] }],
      [small, 'groups-csv', {}],
    ] as const) {
      const background = await new BackgroundFingerprint(file).finish(file, role, extra);
      const direct = await fingerprintFile(file, role, extra);
      expect(JSON.stringify(background)).toBe(JSON.stringify(direct));
    }
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '');
    expect(JSON.stringify(await new BackgroundFingerprint(empty).finish(empty, 'y-csv'))).toBe(JSON.stringify(await fingerprintFile(empty, 'y-csv')));
  });

  it('falls back to fingerprintFile: its E_NOT_FOUND for a missing file, and the right file when asked for another path', async () => {
    const missing = join(dir, 'missing.h5');
    await expect(new BackgroundFingerprint(missing).finish(missing, 'x-h5')).rejects.toMatchObject({ code: 'E_NOT_FOUND', file: missing, field: '--x-h5' });
    const other = join(dir, 'other.csv');
    await writeFile(other, 'other\n');
    const asked = await new BackgroundFingerprint(big).finish(other, 'y-csv');
    expect(asked).toEqual(await fingerprintFile(other, 'y-csv'));
  });
});
