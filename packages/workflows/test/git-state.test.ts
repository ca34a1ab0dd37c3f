import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { gitState } from '@pipeline/workflows';

describe('gitState', () => {
  it('gives the commit of the working tree and whether tracked files changed; undefined outside git', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'git-state-'));
    expect(await gitState(dir)).toBeUndefined();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' }).trim();
    git('init', '-q');
    await writeFile(join(dir, 'a.txt'), 'one\n');
    git('add', 'a.txt');
    git('commit', '-qm', 'first');
    const head = git('rev-parse', 'HEAD');
    expect(await gitState(dir)).toEqual({ commit: head, dirty: false });
    await writeFile(join(dir, 'untracked.txt'), 'x\n');
    expect(await gitState(dir)).toEqual({ commit: head, dirty: false });
    await writeFile(join(dir, 'a.txt'), 'two\n');
    expect(await gitState(dir)).toEqual({ commit: head, dirty: true });
  });
});
