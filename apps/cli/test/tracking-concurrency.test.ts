import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { generateDemoData } from '@pipeline/ingest';
import { RUN_INDEX_FILE, buildRunIndex } from '@pipeline/runs';

// Real processes: needs `pnpm build` (CI builds before testing).
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

function pipeline(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run 'pnpm build' before the tests`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

interface Listed {
  id: string;
  status: string;
  cv: Record<string, { mean: number }>;
  git?: { commit: string; dirty: boolean };
}

describe('run tracking under concurrent writers', () => {
  it('two train processes under one root and runs list during them: no corrupt index, no half-written run shown as complete', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cli-tracking-conc-'));
    const runs = join(root, 'runs');
    await generateDemoData({ outDir: join(root, 'demo'), n: 200, seed: 11, testN: 0 });
    const train = (name: string, seed: string) =>
      pipeline(['train', '--x-csv', join(root, 'demo', 'X_train.csv'), '--y-csv', join(root, 'demo', 'y_train.csv'), '--hgb-max-iter', '10', '--splits', '3', '--no-refit-final', '--seed', seed, '--run-dir', join(runs, name), '--quiet']);
    const trains = [train('a', '1'), train('b', '2')];
    let finished = false;
    void Promise.all(trains).then(() => (finished = true));
    // Poll the index in this process while the trains write; and list with the real CLI once meanwhile.
    const lister = pipeline(['runs', 'list', '--runs-root', runs, '--json']);
    let polls = 0;
    let sawRunning = false;
    while (!finished) {
      const index = await buildRunIndex(runs);
      for (const e of index) {
        if (e.status === 'running') sawRunning = true;
        // A run listed as completed has every file: its scores equal its metrics file.
        if (e.status === 'completed') {
          const m = JSON.parse(await readFile(join(e.dir, 'metrics', 'oof_stack.json'), 'utf8')) as { foldMean: { balancedAccuracy: number } };
          expect(e.cv.balancedAccuracy?.mean).toBe(m.foldMean.balancedAccuracy);
          expect(existsSync(join(e.dir, 'oof', 'meta_oof.arrow'))).toBe(true);
        }
      }
      if (existsSync(join(runs, RUN_INDEX_FILE))) JSON.parse(await readFile(join(runs, RUN_INDEX_FILE), 'utf8'));
      polls++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const results = await Promise.all(trains);
    for (const r of results) expect(r.code).toBe(0);
    const during = await lister;
    expect(during.code).toBe(0);
    for (const e of JSON.parse(during.stdout) as Listed[]) {
      if (e.status === 'completed') expect(existsSync(join(runs, e.id, 'metrics', 'oof_stack.json'))).toBe(true);
    }
    expect(polls).toBeGreaterThan(0);
    expect(sawRunning).toBe(true);
    const after = await pipeline(['runs', 'list', '--runs-root', runs, '--json']);
    const listed = JSON.parse(after.stdout) as Listed[];
    expect(listed.map((e) => [e.id, e.status]).sort()).toEqual([
      ['a', 'completed'],
      ['b', 'completed'],
    ]);
    for (const e of listed) {
      const m = JSON.parse(await readFile(join(runs, e.id, 'metrics', 'oof_stack.json'), 'utf8')) as { foldMean: { balancedAccuracy: number } };
      expect(e.cv.balancedAccuracy!.mean).toBe(m.foldMean.balancedAccuracy);
      // Trained from this checkout: the run records its commit.
      expect(e.git?.commit).toMatch(/^[0-9a-f]{40}$/);
    }
    const cache = JSON.parse(await readFile(join(runs, RUN_INDEX_FILE), 'utf8')) as { entries: Record<string, unknown> };
    expect(Object.keys(cache.entries).sort()).toEqual(['a', 'b']);
  }, 300_000);
});
