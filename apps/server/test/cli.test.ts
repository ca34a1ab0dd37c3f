/**
 * The CLI commands of the service, through the real binary (needs `pnpm build`, as CI does before the
 * tests): `pipeline server token create` prints only the token; `pipeline serve` listens, answers with
 * that token, and stops on SIGINT.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('pipeline serve / server token create', () => {
  it('creates a token (stdout: the token only) and serves the API with it', async () => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run 'pnpm build' before the tests`);
    const dataDir = await mkdtemp(join(tmpdir(), 'pipeline-cli-serve-'));
    try {
      const created = spawnSync(process.execPath, [bin, 'server', 'token', 'create', '--data-dir', dataDir, '--workspace', 'team-a'], { encoding: 'utf8' });
      expect(created.status).toBe(0);
      expect(created.stdout).toMatch(/^pl_[\w-]{43}\n$/);
      const token = created.stdout.trim();
      expect(created.stderr).not.toContain(token);
      const bad = spawnSync(process.execPath, [bin, 'server', 'token', 'create', '--data-dir', dataDir, '--workspace', '../x'], { encoding: 'utf8' });
      expect(bad.status).toBe(2);
      expect(bad.stdout).toBe('');

      const server = spawn(process.execPath, [bin, 'serve', '--data-dir', dataDir, '--port', '0', '--json', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(server);
      let stdout = '';
      server.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const info = await new Promise<{ url: string; database: string }>((resolve, reject) => {
        const timer = setInterval(() => {
          try {
            resolve(JSON.parse(stdout) as { url: string; database: string });
            clearInterval(timer);
          } catch {
            // not complete yet
          }
        }, 50);
        server.once('exit', (code) => {
          clearInterval(timer);
          reject(new Error(`serve exited with ${code}`));
        });
      });
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.database).toBe('sqlite');
      const ok = await fetch(`${info.url}/api/training/datasets`, { headers: { authorization: `Bearer ${token}` } });
      expect(await ok.json()).toEqual({ success: true, datasets: [], count: 0 });
      expect((await fetch(`${info.url}/api/training/datasets`)).status).toBe(401);
      const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
      server.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
