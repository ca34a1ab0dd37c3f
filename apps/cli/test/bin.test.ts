import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
});
