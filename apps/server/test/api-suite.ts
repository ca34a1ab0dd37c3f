/**
 * The API test suite, run once per database driver (api.sqlite.test.ts, api.postgres.test.ts).
 * Trainings use the test-only `prior` kind (fixtures/prior-kind.ts): tiny, deterministic and fast.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { auth, multipart, startTestServer, transitCsv, waitFor, type TestServer } from './helpers.js';

interface Json {
  [key: string]: any;
}

export function describeApiSuite(label: string, databaseUrl: () => string): void {
  describe(`training service API (${label})`, () => {
    let t: TestServer;
    let datasetId: string;

    // Real HTTP on 127.0.0.1 (fastify's inject loads light-my-request, whose `cookie` dependency is
    // ESM-only and cannot be required inside jest's module runtime).
    let base = '';
    const inject = async (options: { method: string; url: string; token?: string; payload?: unknown; headers?: Record<string, string> }) => {
      const isJson = options.payload !== undefined && !Buffer.isBuffer(options.payload) && typeof options.payload !== 'string';
      const response = await fetch(`${base}${options.url}`, {
        method: options.method,
        headers: { ...(options.token === undefined ? {} : auth(options.token)), ...(isJson ? { 'content-type': 'application/json' } : {}), ...options.headers },
        ...(options.payload === undefined ? {} : { body: isJson ? JSON.stringify(options.payload) : (options.payload as string) }),
      });
      const text = await response.text();
      return { status: response.status, body: JSON.parse(text) as Json, headers: Object.fromEntries(response.headers) };
    };
    const upload = (token: string, csv: string | Buffer, fields: Record<string, string> = { name: 'kepler-small' }, filename = 'data.csv', contentType = 'text/csv') => {
      const body = multipart([...Object.entries(fields).map(([name, value]) => ({ name, value })), { name: 'file', value: csv, filename, contentType }]);
      return inject({ method: 'POST', url: '/api/training/upload-dataset', token, payload: body.payload, headers: body.headers });
    };
    const storedFiles = async () => ({ uploads: await readdir(join(t.dataDir, 'uploads')), datasets: await readdir(join(t.dataDir, 'datasets')) });
    const waitStatus = (token: string, id: string, statuses: string[]) =>
      waitFor(async () => {
        const { body } = await inject({ method: 'GET', url: `/api/training/session/${id}`, token });
        return statuses.includes(body.session?.status) ? (body.session as Json) : undefined;
      }, 30_000, `session ${id} to be ${statuses.join('/')}`);

    beforeAll(async () => {
      t = await startTestServer({ databaseUrl: databaseUrl() });
      base = await t.server.listen({ host: '127.0.0.1', port: 0 });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('serves the OpenAPI document and health without a token', async () => {
      const doc = await inject({ method: 'GET', url: '/api/openapi.json' });
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toBe('3.0.3');
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/api/training/upload-dataset', '/api/training/start', '/api/training/sessions', '/api/models/{name}/predict']),
      );
      const health = await inject({ method: 'GET', url: '/api/health' });
      expect(health.body).toMatchObject({ success: true, status: 'ok' });
      expect(health.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers 401 without a token or with an unknown one', async () => {
      for (const url of ['/api/training/datasets', '/api/training/sessions', '/api/models']) {
        const none = await inject({ method: 'GET', url });
        expect(none.status).toBe(401);
        expect(none.body).toEqual({ success: false, error: { code: 'unauthorized', message: expect.stringContaining('bearer token') } });
        const wrong = await inject({ method: 'GET', url, token: 'pl_not-a-token' });
        expect(wrong.status).toBe(401);
      }
    });

    it('stores a transit dataset with its size, rows, columns and label distribution', async () => {
      const csv = transitCsv(8);
      const response = await upload(t.tokenA, csv);
      expect(response.status).toBe(201);
      const dataset = response.body.dataset as Json;
      datasetId = dataset.id;
      expect(dataset).toMatchObject({
        name: 'kepler-small',
        kind: 'transit',
        original_name: 'data.csv',
        size_bytes: Buffer.byteLength(csv),
        row_count: 8,
        columns: ['period', 'duration', 'depth', 'impact', 'snr', 'steff', 'srad', 'slogg', 'tmag', 'label'],
        label_distribution: { CANDIDATE: 2, CONFIRMED: 4, 'FALSE POSITIVE': 2 },
      });
      // stored under a generated name, byte for byte
      expect(await readFile(join(t.dataDir, 'datasets', `${datasetId}.csv`), 'utf8')).toBe(csv);
      expect((await storedFiles()).uploads).toEqual([]);
      const list = await inject({ method: 'GET', url: '/api/training/datasets', token: t.tokenA });
      expect(list.body).toMatchObject({ success: true, count: 1 });
      expect(list.body.datasets[0].id).toBe(datasetId);
    });

    it("never shows a workspace another workspace's dataset (404, never 200)", async () => {
      const list = await inject({ method: 'GET', url: '/api/training/datasets', token: t.tokenB });
      expect(list.body).toEqual({ success: true, datasets: [], count: 0 });
      expect((await inject({ method: 'GET', url: `/api/training/datasets/${datasetId}`, token: t.tokenB })).status).toBe(404);
      expect((await inject({ method: 'DELETE', url: `/api/training/datasets/${datasetId}`, token: t.tokenB })).status).toBe(404);
      const start = await inject({ method: 'POST', url: '/api/training/start', token: t.tokenB, payload: { dataset_id: datasetId, model_kind: 'prior', model_name: 'x' } });
      expect(start.status).toBe(404);
      expect((await inject({ method: 'GET', url: `/api/training/datasets/${datasetId}`, token: t.tokenA })).status).toBe(200);
    });

    it('rejects a transit CSV with missing columns, naming them, and keeps no file', async () => {
      const csv = 'period,duration,depth,impact,steff,srad,slogg,label\n1,2,3,0.1,5000,1,4.5,CONFIRMED\n';
      const response = await upload(t.tokenA, csv);
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('invalid_dataset');
      expect(response.body.error.missing_columns).toEqual(['snr', 'tmag']);
      expect(response.body.error.message).toContain('snr, tmag');
      expect(await storedFiles()).toEqual({ uploads: [], datasets: [`${datasetId}.csv`] });
    });

    it('rejects non-numeric values and unknown labels naming the line and column', async () => {
      const badNumber = transitCsv(3).replace('5700', 'hot');
      const first = await upload(t.tokenA, badNumber);
      expect(first.status).toBe(422);
      expect(first.body.error).toMatchObject({ code: 'invalid_dataset', line: 2, column: 'steff' });
      const badLabel = transitCsv(3).replace('FALSE POSITIVE', 'MAYBE');
      const second = await upload(t.tokenA, badLabel);
      expect(second.status).toBe(422);
      expect(second.body.error).toMatchObject({ line: 4, column: 'label' });
      expect(second.body.error.message).toContain("'MAYBE' is not one of CANDIDATE, CONFIRMED, FALSE POSITIVE");
    });

    it('accepts a tabular CSV with a label column and rejects one without', async () => {
      const ok = await upload(t.tokenA, 'a,b,label\n1,2,x\n3,"4,5",y\n5,6,x\n', { name: 'tab', kind: 'tabular' });
      expect(ok.status).toBe(201);
      expect(ok.body.dataset).toMatchObject({ kind: 'tabular', row_count: 3, columns: ['a', 'b', 'label'], label_distribution: { x: 2, y: 1 } });
      const missing = await upload(t.tokenA, 'a,b,target\n1,2,x\n', { name: 'tab', kind: 'tabular' });
      expect(missing.status).toBe(422);
      expect(missing.body.error.missing_columns).toEqual(['label']);
      const badKind = await upload(t.tokenA, 'a,label\n1,x\n', { name: 'tab', kind: 'parquet' });
      expect(badKind.status).toBe(400);
      expect(badKind.body.error.field).toBe('kind');
      const deleted = await inject({ method: 'DELETE', url: `/api/training/datasets/${ok.body.dataset.id}`, token: t.tokenA });
      expect(deleted.status).toBe(200);
      expect(existsSync(join(t.dataDir, 'datasets', `${ok.body.dataset.id}.csv`))).toBe(false);
      expect((await inject({ method: 'GET', url: `/api/training/datasets/${ok.body.dataset.id}`, token: t.tokenA })).status).toBe(404);
    });

    it('answers 413 over the upload limit and leaves no partial file or row', async () => {
      const before = await inject({ method: 'GET', url: '/api/training/datasets', token: t.tokenA });
      const big = transitCsv(2000); // ~110 kB > the 64 KiB test limit
      expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
      const response = await upload(t.tokenA, big);
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe('payload_too_large');
      expect(await storedFiles()).toEqual({ uploads: [], datasets: [`${datasetId}.csv`] });
      const after = await inject({ method: 'GET', url: '/api/training/datasets', token: t.tokenA });
      expect(after.body.count).toBe(before.body.count);
    });

    it('answers 413 to a large upload streamed over a real connection, without hanging', async () => {
      const big = Buffer.alloc(4 * 1024 * 1024, 'period,duration\n1,2\n');
      const response = await upload(t.tokenA, big);
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe('payload_too_large');
      expect(await storedFiles()).toEqual({ uploads: [], datasets: [`${datasetId}.csv`] });
      // the server still answers on a new request
      expect((await inject({ method: 'GET', url: '/api/training/datasets', token: t.tokenA })).status).toBe(200);
    });

    it('answers 413 over the row and column limits', async () => {
      const rows = `a,label\n${'1,x\n'.repeat(1001)}`; // 1,001 rows > the test limit of 1,000, ~4 kB
      const tooMany = await upload(t.tokenA, rows, { name: 'long', kind: 'tabular' });
      expect(tooMany.status).toBe(413);
      expect(tooMany.body.error).toMatchObject({ code: 'too_many_rows', limit: 1000 });
      const justRight = await upload(t.tokenA, `a,label\n${'1,x\n'.repeat(1000)}`, { name: 'long', kind: 'tabular' });
      expect(justRight.body.dataset.row_count).toBe(1000);
      await inject({ method: 'DELETE', url: `/api/training/datasets/${justRight.body.dataset.id}`, token: t.tokenA });
      const wide = await upload(t.tokenA, `${Array.from({ length: 50 }, (_, i) => `c${i}`).join(',')},label\n`, { name: 'wide', kind: 'tabular' });
      expect(wide.status).toBe(413);
      expect(wide.body.error).toMatchObject({ code: 'too_many_columns', limit: 50 });
      expect(await storedFiles()).toEqual({ uploads: [], datasets: [`${datasetId}.csv`] });
    });

    it('answers 415 to a non-multipart body and to a non-CSV file', async () => {
      const json = await inject({ method: 'POST', url: '/api/training/upload-dataset', token: t.tokenA, payload: { name: 'x' } });
      expect(json.status).toBe(415);
      expect(json.body.error.code).toBe('unsupported_media_type');
      const png = await upload(t.tokenA, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), { name: 'img' }, 'picture.png', 'image/png');
      expect(png.status).toBe(415);
      const binary = await upload(t.tokenA, Buffer.from([0x61, 0, 0x62, 0x0a]), { name: 'bin' }, 'sneaky.csv', 'text/csv');
      expect(binary.status).toBe(415);
      const octet = await inject({ method: 'POST', url: '/api/training/upload-dataset', token: t.tokenA, payload: 'a,b', headers: { 'content-type': 'application/octet-stream' } });
      expect(octet.status).toBe(415);
      expect(await storedFiles()).toEqual({ uploads: [], datasets: [`${datasetId}.csv`] });
    });

    it('rejects an unknown model kind, bad options and a bad model name', async () => {
      const unknown = await inject({ method: 'POST', url: '/api/training/start', token: t.tokenA, payload: { dataset_id: datasetId, model_kind: 'xgboost', model_name: 'm' } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error).toMatchObject({ code: 'unknown_model_kind', field: 'model_kind' });
      expect(unknown.body.error.known).toContain('prior');
      const options = await inject({ method: 'POST', url: '/api/training/start', token: t.tokenA, payload: { dataset_id: datasetId, model_kind: 'prior', model_name: 'm', options: { epochs: 0 } } });
      expect(options.status).toBe(400);
      expect(options.body.error).toMatchObject({ code: 'invalid_options', field: 'options.epochs' });
      const name = await inject({ method: 'POST', url: '/api/training/start', token: t.tokenA, payload: { dataset_id: datasetId, model_kind: 'prior', model_name: '../etc' } });
      expect(name.status).toBe(400);
      expect(name.body.error.field).toBe('model_name');
      const missing = await inject({ method: 'POST', url: '/api/training/start', token: t.tokenA, payload: { model_kind: 'prior', model_name: 'm' } });
      expect(missing.body.error.field).toBe('dataset_id');
    });

    it('trains in a worker, registers versions, switches the current one and predicts', async () => {
      const start = await inject({ method: 'POST', url: '/api/training/start', token: t.tokenA, payload: { dataset_id: datasetId, model_kind: 'prior', model_name: 'planets', options: { epochs: 3 } } });
      expect(start.status).toBe(202);
      expect(start.body.session).toMatchObject({ status: 'pending', model_kind: 'prior', model_name: 'planets', options: { epochs: 3, delay_ms: 0 } });
      const done = await waitStatus(t.tokenA, start.body.session_id, ['completed', 'failed']);
      expect(done).toMatchObject({ status: 'completed', epochs_completed: 3, metrics: { accuracy: 0.5, rows: 8 }, attempts: 1, error: null });
      expect(done.progress).toMatchObject({ stage: 'epoch', current: 3, total: 3, percent: 100 });
      expect(Date.parse(done.finished_at)).toBeGreaterThanOrEqual(Date.parse(done.started_at));

      const second = await inject({ method: 'POST', url: '/api/training/start', token: t.tokenA, payload: { dataset_id: datasetId, model_kind: 'prior', model_name: 'planets' } });
      await waitStatus(t.tokenA, second.body.session_id, ['completed']);
      const models = await inject({ method: 'GET', url: '/api/models', token: t.tokenA });
      expect(models.body.count).toBe(2);
      expect(models.body.models.map((m: Json) => [m.name, m.version, m.is_current, m.session_id])).toEqual([
        ['planets', 2, true, second.body.session_id],
        ['planets', 1, false, start.body.session_id],
      ]);
      expect(models.body.models[1]).toMatchObject({ model_kind: 'prior', dataset_id: datasetId, metrics: { accuracy: 0.5 }, classes: ['CANDIDATE', 'CONFIRMED', 'FALSE POSITIVE'] });

      const current = await inject({ method: 'POST', url: '/api/models/planets/current', token: t.tokenA, payload: { version: 1 } });
      expect(current.body.model).toMatchObject({ version: 1, is_current: true });
      const after = await inject({ method: 'GET', url: '/api/models?name=planets', token: t.tokenA });
      expect(after.body.models.filter((m: Json) => m.is_current).map((m: Json) => m.version)).toEqual([1]);
      expect((await inject({ method: 'POST', url: '/api/models/planets/current', token: t.tokenA, payload: { version: 9 } })).status).toBe(404);

      const json = await inject({ method: 'POST', url: '/api/models/planets/predict', token: t.tokenA, payload: { rows: [{ period: 1 }, { period: 2 }] } });
      expect(json.status).toBe(200);
      expect(json.body).toMatchObject({
        success: true,
        model: { name: 'planets', version: 1 },
        class_names: ['CANDIDATE', 'CONFIRMED', 'FALSE POSITIVE'],
        classes: ['CONFIRMED', 'CONFIRMED'],
        probabilities: [[0.25, 0.5, 0.25], [0.25, 0.5, 0.25]],
        count: 2,
      });
      const csv = await inject({ method: 'POST', url: '/api/models/planets/predict?version=2', token: t.tokenA, payload: transitCsv(3), headers: { 'content-type': 'text/csv' } });
      expect(csv.body).toMatchObject({ model: { version: 2 }, count: 3, classes: ['CONFIRMED', 'CONFIRMED', 'CONFIRMED'] });
      const file = multipart([{ name: 'file', value: transitCsv(2), filename: 'rows.csv' }]);
      const filed = await inject({ method: 'POST', url: '/api/models/planets/predict', token: t.tokenA, payload: file.payload, headers: file.headers });
      expect(filed.body.count).toBe(2);

      // workspace B sees none of it
      expect((await inject({ method: 'GET', url: '/api/models', token: t.tokenB })).body).toEqual({ success: true, models: [], count: 0 });
      expect((await inject({ method: 'POST', url: '/api/models/planets/predict', token: t.tokenB, payload: { rows: [{ a: 1 }] } })).status).toBe(404);
      expect((await inject({ method: 'POST', url: '/api/models/planets/current', token: t.tokenB, payload: { version: 1 } })).status).toBe(404);
      expect((await inject({ method: 'GET', url: `/api/training/session/${start.body.session_id}`, token: t.tokenB })).status).toBe(404);
      expect((await inject({ method: 'POST', url: `/api/training/session/${start.body.session_id}/cancel`, token: t.tokenB })).status).toBe(404);
      expect((await inject({ method: 'GET', url: '/api/training/sessions', token: t.tokenB })).body).toMatchObject({ sessions: [], count: 0 });
      const noReport = await inject({ method: 'GET', url: `/api/training/session/${start.body.session_id}/report`, token: t.tokenA });
      expect(noReport.status).toBe(404);
      expect(noReport.body.error.message).toContain('has no report (completed; model kind prior)');
      const mine = await inject({ method: 'GET', url: '/api/training/sessions?status=completed', token: t.tokenA });
      expect(mine.body.sessions.map((s: Json) => s.id)).toEqual([second.body.session_id, start.body.session_id]);
      expect((await inject({ method: 'POST', url: `/api/training/session/${start.body.session_id}/cancel`, token: t.tokenA })).status).toBe(409);
    });

    it('cancels a running training by killing its worker', async () => {
      const start = await inject({ method: 'POST', url: '/api/training/start', token: t.tokenA, payload: { dataset_id: datasetId, model_kind: 'prior', model_name: 'slow', options: { epochs: 100, delay_ms: 100 } } });
      const running = await waitFor(async () => {
        const { body } = await inject({ method: 'GET', url: `/api/training/session/${start.body.session_id}`, token: t.tokenA });
        return body.session.status === 'training' && body.session.epochs_completed >= 1 ? body.session : undefined;
      });
      expect(running.status).toBe('training');
      // concurrency 1: a second training waits in the queue; cancelling it there never starts it
      const queued = await inject({ method: 'POST', url: '/api/training/start', token: t.tokenA, payload: { dataset_id: datasetId, model_kind: 'prior', model_name: 'slow', options: { epochs: 100, delay_ms: 100 } } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await inject({ method: 'GET', url: `/api/training/session/${queued.body.session_id}`, token: t.tokenA })).body.session).toMatchObject({ status: 'pending', attempts: 0 });
      expect(t.server.runner.load).toEqual({ queued: 1, running: 1 });
      const dequeued = await inject({ method: 'POST', url: `/api/training/session/${queued.body.session_id}/cancel`, token: t.tokenA });
      expect(dequeued.body.session).toMatchObject({ status: 'cancelled', attempts: 0, started_at: null });
      expect(t.server.runner.load).toEqual({ queued: 0, running: 1 });
      const cancel = await inject({ method: 'POST', url: `/api/training/session/${start.body.session_id}/cancel`, token: t.tokenA });
      expect(cancel.status).toBe(200);
      expect(cancel.body.session).toMatchObject({ status: 'cancelled', error: 'cancelled by request' });
      expect(t.server.runner.load.running).toBe(0);
      expect(existsSync(join(t.dataDir, 'models', start.body.session_id))).toBe(false);
      expect((await inject({ method: 'GET', url: '/api/models?name=slow', token: t.tokenA })).body.count).toBe(0);
    });

    it('turns a failing or crashing worker into a failed session with the reason', async () => {
      const fail = await inject({ method: 'POST', url: '/api/training/start', token: t.tokenA, payload: { dataset_id: datasetId, model_kind: 'prior', model_name: 'bad', options: { fail: true } } });
      const failed = await waitStatus(t.tokenA, fail.body.session_id, ['failed', 'completed']);
      expect(failed.status).toBe('failed');
      expect(failed.error).toContain('E_INPUT: field \'fail\': the prior kind was asked to fail');
      const crash = await inject({ method: 'POST', url: '/api/training/start', token: t.tokenA, payload: { dataset_id: datasetId, model_kind: 'prior', model_name: 'bad', options: { crash: true } } });
      const crashed = await waitStatus(t.tokenA, crash.body.session_id, ['failed', 'completed']);
      expect(crashed.status).toBe('failed');
      expect(crashed.error).toContain('the training worker exited unexpectedly (exit code 7)');
      expect((await inject({ method: 'GET', url: '/api/models?name=bad', token: t.tokenA })).body.count).toBe(0);
    });

    it('streams live progress as server-sent events until the session ends', async () => {
      const url = base;
      const start = await inject({ method: 'POST', url: '/api/training/start', token: t.tokenA, payload: { dataset_id: datasetId, model_kind: 'prior', model_name: 'sse', options: { epochs: 5, delay_ms: 250 } } });
      const id = start.body.session_id as string;
      const events = await new Promise<{ event: string; data: Json }[]>((resolve, reject) => {
        const received: { event: string; data: Json }[] = [];
        const request = httpRequest(`${url}/api/training/session/${id}/events?access_token=${encodeURIComponent(t.tokenA)}`, (response) => {
          expect(response.statusCode).toBe(200);
          expect(response.headers['content-type']).toContain('text/event-stream');
          let buffer = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            buffer += chunk;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const event = /^event: (.*)$/m.exec(block)?.[1];
              const data = /^data: (.*)$/m.exec(block)?.[1];
              if (event !== undefined && data !== undefined) received.push({ event, data: JSON.parse(data) as Json });
            }
          });
          response.on('end', () => resolve(received));
        });
        request.on('error', reject);
        request.end();
      });
      const sessions = events.filter((e) => e.event === 'session').map((e) => e.data);
      expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'completed' } });
      expect(sessions.at(-1)).toMatchObject({ id, status: 'completed', epochs_completed: 5 });
      expect(sessions.some((s) => s.status === 'training')).toBe(true);
      const percents = sessions.map((s) => s.progress?.percent ?? 0);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      expect(new Set(percents.filter((p) => p > 0 && p < 100)).size).toBeGreaterThanOrEqual(2);
      // wrong workspace: 404 before any stream
      const other = await fetch(`${url}/api/training/session/${id}/events`, { headers: auth(t.tokenB) });
      expect(other.status).toBe(404);
    });
  });
}
