import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

// End-to-end tests of the real binary. They need `pnpm build` (CI builds before testing).
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

function pipeline(...args: string[]) {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run 'pnpm build' before the tests`);
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

describe('pipeline binary', () => {
  it('--help exits 0 and lists commands', () => {
    const result = pipeline('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('pipeline <command> [options]');
    expect(result.stdout).toContain('pipeline version');
  });

  it('a usage error exits 2 and writes nothing to stdout', () => {
    const result = pipeline('definitely-not-a-command');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("Run 'pipeline --help'");
  });

  it('version --json writes one JSON document to stdout', () => {
    const result = pipeline('version', '--json');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).platform).toBe(`${process.platform}-${process.arch}`);
  });

  it('runs list --sort -cv works in the real process (argv rewritten before yargs sees -cv as flags)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-bin-sort-'));
    const written = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { writeSyntheticRun, handConfig } from '@pipeline/runs';
         const root = ${JSON.stringify(dir)};
         for (const [id, s, d] of [['a', 0.7, 1], ['b', 0.9, 2], ['c', 0.8, 3]]) {
           await writeSyntheticRun(root + '/' + id, { config: handConfig({ seed: d }), scores: { balancedAccuracy: [s, s] }, createdAt: '2026-01-0' + d + 'T00:00:00Z' });
         }`,
      ],
      { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) },
    );
    expect(written.stderr).toBe('');
    const result = pipeline('runs', 'list', '--runs-root', dir, '--sort', '-cv', '--json');
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as { id: string }[]).map((e) => e.id)).toEqual(['b', 'c', 'a']);
  });
});
