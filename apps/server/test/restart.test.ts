/**
 * Restart recovery with a real server process: start a training, `kill -9` the server, start it
 * again: the session is re-queued and completes (attempt 2); killed again during its last allowed
 * attempt, it is failed with the reason. Never left in `training`. Also: SIGTERM shuts down
 * gracefully (the running training goes back to `pending`, no temporary files are left).
 * Slow on a busy machine: each server process compiles the TypeScript sources on start.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openRepository } from '../src/db/open-repository.js';
import { createWorkspaceToken } from '../src/start.js';
import { auth, multipart, transitCsv, waitFor } from './helpers.js';

const register = import.meta.resolve('@pipeline/core/dev/source-register');
const serveScript = fileURLToPath(new URL('./fixtures/serve.ts', import.meta.url));
const children = new Set<ChildProcess>();

async function spawnServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--no-warnings', '--import', register, serveScript, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return { child, url };
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
});

describe('restart recovery', () => {
  it('re-queues a training interrupted by kill -9, then fails it with the reason after the last attempt', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pipeline-restart-'));
    try {
      const token = await createWorkspaceToken({ dataDir, workspace: 'restart', databaseUrl: '' });
      expect(token).toMatch(/^pl_[\w-]{43}$/);
      let server = await spawnServer(dataDir);
      const api = async (method: string, path: string, body?: unknown) => {
        const response = await fetch(`${server.url}${path}`, {
          method,
          headers: { ...auth(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return (await response.json()) as Record<string, any>;
      };
      const form = multipart([{ name: 'name', value: 'r' }, { name: 'file', value: transitCsv(8), filename: 'r.csv' }]);
      const uploaded = (await (await fetch(`${server.url}/api/training/upload-dataset`, { method: 'POST', headers: { ...auth(token), ...form.headers }, body: form.payload })).json()) as Record<string, any>;
      const datasetId = uploaded.dataset.id as string;
      const started = await api('POST', '/api/training/start', { dataset_id: datasetId, model_kind: 'prior', model_name: 'r', options: { epochs: 200, delay_ms: 50 } });
      const id = started.session_id as string;
      const session = () => api('GET', `/api/training/session/${id}`).then((b) => b.session as Record<string, any>);
      await waitFor(async () => ((await session()).epochs_completed >= 1 ? true : undefined), 30_000, 'the first epoch');

      server.child.kill('SIGKILL');
      await exited(server.child);
      server = await spawnServer(dataDir);
      const requeued = await session();
      expect(requeued.status === 'pending' || requeued.status === 'training').toBe(true);
      await waitFor(async () => ((await session()).attempts === 2 && (await session()).epochs_completed >= 1 ? true : undefined), 30_000, 'attempt 2');

      // killed again during the last allowed attempt (2): failed with the reason, never `training`
      server.child.kill('SIGKILL');
      await exited(server.child);
      server = await spawnServer(dataDir);
      const failed = await session();
      expect(failed).toMatchObject({ status: 'failed', attempts: 2, error: 'the server stopped during this training 2 times; not retried' });
      expect(await readdir(join(dataDir, 'models'))).toEqual([]);

      // SIGTERM: graceful; the running training goes back to pending (read from the database once the
      // process is gone), no temporary upload or model folder is left
      const slow = await api('POST', '/api/training/start', { dataset_id: datasetId, model_kind: 'prior', model_name: 'r', options: { epochs: 200, delay_ms: 50 } });
      await waitFor(async () => (((await api('GET', `/api/training/session/${slow.session_id}`)).session.epochs_completed as number) >= 1 ? true : undefined), 30_000, 'the third training');
      server.child.kill('SIGTERM');
      await exited(server.child);
      expect(server.child.exitCode).toBe(0);
      expect(await readdir(join(dataDir, 'uploads'))).toEqual([]);
      expect(await readdir(join(dataDir, 'models'))).toEqual([]);
      const repository = await openRepository({ dataDir, databaseUrl: '' });
      try {
        const back = await repository.getSessionById(slow.session_id as string);
        expect(back).toMatchObject({ status: 'pending', attempts: 0, error: 'interrupted by a server shutdown; re-queued' });
      } finally {
        await repository.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
