import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoData } from '@pipeline/ingest';

// End-to-end runs of the real binary (needs `pnpm build`): separate processes, signals, resume.
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
let root: string;
let demo: string;

function cli(args: string[]) {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run 'pnpm build' before the tests`);
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root });
}

const trainArgs = (runDir: string, extra: string[] = []) => [
  'train', '--x-h5', join(demo, 'X_train.h5'), '--y-csv', join(demo, 'y_train.csv'), '--hgb-fe',
  '--splits', '3', '--hgb-max-iter', '15', '--run-dir', runDir, '--seed', '5', '--quiet', ...extra,
];

/** The manifest without the fields that legitimately differ between two identical runs. */
function stableManifest(dir: string): Record<string, unknown> {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  for (const key of ['createdAt', 'updatedAt', 'finishedAt', 'timings', 'argv', 'environment']) delete m[key];
  return m;
}

const bytes = (dir: string, file: string) => readFileSync(join(dir, file));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cli-e2e-'));
  demo = join(root, 'demo');
  await generateDemoData({ outDir: demo, n: 450, seed: 11, testN: 50 });
}, 120_000);

describe('pipeline end to end (real processes)', () => {
  it('two trains with the same seed give byte-identical OOF, metrics and manifests; predictions are identical across processes', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    expect(cli(trainArgs(a)).status).toBe(0);
    expect(cli(trainArgs(b)).status).toBe(0);
    for (const file of ['oof/z_oof.arrow', 'oof/meta_oof.arrow', 'folds.json', 'metrics/oof_stack.json', 'metrics/oof_hgb_fe.json']) {
      expect(bytes(a, file).equals(bytes(b, file))).toBe(true);
    }
    const ma = stableManifest(a);
    const mb = stableManifest(b);
    expect(JSON.stringify(ma).replaceAll(a, '<run>')).toBe(JSON.stringify(mb).replaceAll(b, '<run>'));
    const p1 = join(root, 'p1.csv');
    const p2 = join(root, 'p2.csv');
    expect(cli(['predict', '--run-dir', a, '--x-h5', join(demo, 'X_test.h5'), '--out', p1]).status).toBe(0);
    expect(cli(['predict', '--run-dir', b, '--x-h5', join(demo, 'X_test.h5'), '--out', p2]).status).toBe(0);
    expect(readFileSync(p1).equals(readFileSync(p2))).toBe(true);
    // A different seed gives different folds.
    const c = join(root, 'c');
    expect(cli(trainArgs(c, ['--seed', '6'])).status).toBe(0);
    expect(bytes(a, 'folds.json').equals(bytes(c, 'folds.json'))).toBe(false);
  });

  it('Ctrl-C during train exits 130 and marks the run failed; --resume completes it with the same OOF as an uninterrupted run', async () => {
    const reference = join(root, 'ref');
    expect(cli(trainArgs(reference, ['--hgb-max-iter', '40'])).status).toBe(0);
    const interrupted = join(root, 'int');
    const child = spawn(process.execPath, [bin, ...trainArgs(interrupted, ['--hgb-max-iter', '40'])], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    // Interrupt once the first fold has been checkpointed.
    const firstFold = join(interrupted, 'checkpoints/oof/hgb_fe/fold-0.json');
    const deadline = Date.now() + 240_000;
    while (!existsSync(firstFold) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(firstFold)).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    const manifest = JSON.parse(await readFile(join(interrupted, 'manifest.json'), 'utf8'));
    expect(manifest.status).toBe('failed');
    expect(manifest.error.code).toBe('E_ABORTED');
    const refused = cli(['predict', '--run-dir', interrupted, '--x-h5', join(demo, 'X_test.h5'), '--out', join(root, 'never.csv')]);
    expect(refused.status).toBe(3);
    expect(existsSync(join(root, 'never.csv'))).toBe(false);
    const resumed = cli([...trainArgs(interrupted, ['--hgb-max-iter', '40']), '--resume', '--timing']);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/hgb_fe\s+0\s+\d+\s+\d+\s+[\d.]+\s+[\d.]+\s+yes/);
    for (const file of ['oof/z_oof.arrow', 'oof/meta_oof.arrow', 'metrics/oof_stack.json']) {
      expect(bytes(interrupted, file).equals(bytes(reference, file))).toBe(true);
    }
    expect(JSON.parse(await readFile(join(interrupted, 'manifest.json'), 'utf8')).status).toBe('completed');
  });
});
