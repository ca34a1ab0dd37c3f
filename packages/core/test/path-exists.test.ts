import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { pathExists } from '../src/index.js';

describe('pathExists', () => {
  it('is true for a file and a folder, false for a missing path and one below a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'path-exists-'));
    const file = join(dir, 'a.txt');
    await writeFile(file, 'x');
    expect(await pathExists(file)).toBe(true);
    expect(await pathExists(dir)).toBe(true);
    expect(await pathExists(join(dir, 'missing'))).toBe(false);
    expect(await pathExists(join(file, 'below-a-file'))).toBe(false);
  });
});
