/**
 * Rate limit per token, request ids in the pino logs, and graceful shutdown during an upload
 * (the upload is finished or removed: never a half-stored file or an orphan row).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createServer, type PipelineServer } from '../src/server.js';
import { generateToken, hashToken } from '../src/http/tokens.js';
import { createWorkspaceToken } from '../src/start.js';
import { openApiDocument } from '../src/http/openapi.js';
import { auth, multipart, startTestServer, transitCsv, waitFor } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function start(options: { rateLimitMax?: number; logStream?: NodeJS.WritableStream; logLevel?: string } = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'pipeline-limits-'));
  const server: PipelineServer = await createServer({ dataDir, databaseUrl: '', logLevel: options.logLevel ?? 'silent', webDir: join(dataDir, 'no-web'), ...options });
  const tokens: string[] = [];
  for (const name of ['a', 'b']) {
    const workspace = await server.repository.ensureWorkspace(name);
    const token = generateToken();
    await server.repository.insertToken(workspace.id, hashToken(token));
    tokens.push(token);
  }
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { server, url, dataDir, tokenA: tokens[0]!, tokenB: tokens[1]! };
}

describe('limits and safety', () => {
  it('rate-limits per token: one token over its budget gets 429, another token is unaffected', async () => {
    const { url, tokenA, tokenB } = await start({ rateLimitMax: 5 });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(`${url}/api/training/sessions`, { headers: auth(tokenA) })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await fetch(`${url}/api/training/sessions`, { headers: auth(tokenA) });
    expect(await limited.json()).toMatchObject({ success: false, error: { code: 'rate_limited' } });
    expect((await fetch(`${url}/api/training/sessions`, { headers: auth(tokenB) })).status).toBe(200);
  });

  it('logs every request with its request id (the x-request-id header)', async () => {
    const lines: Record<string, unknown>[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    const { url, tokenA } = await start({ logStream, logLevel: 'info' });
    const response = await fetch(`${url}/api/training/datasets`, { headers: auth(tokenA) });
    const id = response.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const given = await fetch(`${url}/api/training/datasets`, { headers: { ...auth(tokenA), 'x-request-id': 'client-chosen-1' } });
    expect(given.headers.get('x-request-id')).toBe('client-chosen-1');
    const mine = lines.filter((line) => line.reqId === id);
    expect(mine.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(lines.some((line) => line.reqId === 'client-chosen-1' && line.msg === 'request completed')).toBe(true);
    // A token passed in the query (EventSource, report links) never reaches the logs.
    const before = lines.length;
    await fetch(`${url}/api/training/session/999999/report?access_token=${encodeURIComponent(tokenA)}&x=1`);
    const logged = lines.slice(before);
    expect(logged.some((line) => JSON.stringify(line).includes('/report?access_token=[redacted]&x=1'))).toBe(true);
    expect(lines.some((line) => JSON.stringify(line).includes(tokenA))).toBe(false);
  });

  it('finishes an upload in flight on shutdown and leaves no partial file', async () => {
    const { server, url, dataDir, tokenA } = await start();
    const body = multipart([{ name: 'name', value: 'slow' }, { name: 'file', value: transitCsv(200), filename: 'slow.csv' }]);
    const half = Math.floor(body.payload.length / 2);
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${url}/api/training/upload-dataset`, {
        method: 'POST',
        headers: { ...auth(tokenA), ...body.headers, 'content-length': String(body.payload.length) },
      }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      request.on('error', reject);
      request.write(body.payload.subarray(0, half));
      // the second half arrives after the shutdown has begun
      setTimeout(() => request.end(body.payload.subarray(half)), 300);
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await readdir(join(dataDir, 'uploads'))).length).toBe(1); // streaming to a temporary file
    const closing = server.close();
    const result = await response;
    await closing;
    expect(result.status).toBe(201);
    const stored = JSON.parse(result.body) as { dataset: { id: string; row_count: number } };
    expect(stored.dataset.row_count).toBe(200);
    expect(await readdir(join(dataDir, 'uploads'))).toEqual([]);
    expect(await readdir(join(dataDir, 'datasets'))).toEqual([`${stored.dataset.id}.csv`]);
  });

  it('stores tokens only as sha256 hashes and accepts each as its own workspace', async () => {
    const { server, url, dataDir } = await start();
    const token = await createWorkspaceToken({ dataDir, workspace: 'hashed', databaseUrl: '' });
    const again = await createWorkspaceToken({ dataDir, workspace: 'hashed', databaseUrl: '' });
    expect(again).not.toBe(token);
    const rows = await server.repository.driver.all<{ token_hash: string }>('SELECT token_hash FROM tokens');
    const expected = (await import('node:crypto')).createHash('sha256').update(token).digest('hex');
    expect(rows.map((row) => row.token_hash)).toContain(expected);
    expect(rows.some((row) => row.token_hash.includes(token) || token.includes(row.token_hash))).toBe(false);
    const raw = (await import('node:fs')).readFileSync(join(dataDir, 'pipeline.sqlite'));
    expect(raw.includes(Buffer.from(token))).toBe(false);
    for (const t of [token, again]) expect((await fetch(`${url}/api/training/datasets`, { headers: auth(t) })).status).toBe(200);
    await expect(createWorkspaceToken({ dataDir, workspace: '../x', databaseUrl: '' })).rejects.toThrow("'../x' is not a workspace name");
  });

  it('documents every API route in the OpenAPI document', async () => {
    const { server } = await start();
    const documented = Object.entries(openApiDocument.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => ['get', 'post', 'delete', 'put', 'patch'].includes(key))
        .map((method) => [method.toUpperCase(), path.replace(/\{(\w+)\}/g, ':$1')] as const),
    );
    expect(documented.length).toBe(14); // every route but /api/openapi.json itself
    for (const [method, url] of documented) expect([method, url, server.app.hasRoute({ method, url })]).toEqual([method, url, true]);
  });

  it('kills and fails a training that runs longer than maxTrainingMs', async () => {
    const t = await startTestServer({ maxTrainingMs: 1500 });
    cleanups.push(() => t.close());
    const base = await t.server.listen({ host: '127.0.0.1', port: 0 });
    const form = multipart([{ name: 'name', value: 'd' }, { name: 'file', value: transitCsv(4), filename: 'd.csv' }]);
    const dataset = (await (await fetch(`${base}/api/training/upload-dataset`, { method: 'POST', headers: { ...auth(t.tokenA), ...form.headers }, body: form.payload })).json()) as { dataset: { id: string } };
    const started = (await (await fetch(`${base}/api/training/start`, {
      method: 'POST',
      headers: { ...auth(t.tokenA), 'content-type': 'application/json' },
      body: JSON.stringify({ dataset_id: dataset.dataset.id, model_kind: 'prior', model_name: 'hung', options: { epochs: 1000, delay_ms: 1000 } }),
    })).json()) as { session_id: string };
    const failed = await waitFor(async () => {
      const { session } = (await (await fetch(`${base}/api/training/session/${started.session_id}`, { headers: auth(t.tokenA) })).json()) as { session: { status: string; error: string } };
      return session.status === 'failed' ? session : undefined;
    }, 30_000, 'the timeout');
    expect(failed.error).toBe('the training ran longer than 1500 ms and was stopped');
    expect(t.server.runner.load).toEqual({ queued: 0, running: 0 });
  });
});
