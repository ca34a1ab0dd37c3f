/**
 * The `stack` kind through the service: a tabular dataset whose label is the sign of one feature
 * (a stump separates it), a tiny config (one HGB with 10 iterations, 2 folds), trained in a worker
 * with `@pipeline/workflows`' trainRun; then the registry and predictions through predictRun.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { modelKind as stackKind } from '../src/kinds/stack.js';
import { auth, multipart, startTestServer, waitFor, type TestServer } from './helpers.js';

/** 120 rows: x1 from -0.595 to 0.595, label `pos` iff x1 > 0; x2, x3 carry no signal. */
function separableCsv(): string {
  const lines = ['x1,x2,x3,label'];
  for (let i = 0; i < 120; i++) {
    const x1 = (i - 59.5) / 100;
    lines.push(`${x1.toFixed(3)},${(i % 7) / 7},${(i % 5) - 2},${x1 > 0 ? 'pos' : 'neg'}`);
  }
  return `${lines.join('\n')}\n`;
}

const tiny = { seed: 3, baseModels: [{ kind: 'hgb', view: 'tabular', args: { maxIter: 10 } }], cv: { splits: 2 } };

describe('stack model kind', () => {
  let t: TestServer;
  let base: string;
  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...auth(token ?? t.tokenA), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    t = await startTestServer();
    base = await t.server.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('validates options against the workflows config schema, naming the field; inputs come only from the server', () => {
    expect(stackKind.validateOptions(tiny)).toEqual({ config: tiny, dropCols: [] });
    expect(() => stackKind.validateOptions({ inputs: { table: { file: '/etc/passwd' } } })).toThrow('inputs are set by the server');
    let field: string | undefined;
    try {
      stackKind.validateOptions({ baseModels: [{ kind: 'hgb', view: 'tabular', args: { maxIter: -1 } }] });
    } catch (error) {
      field = (error as { field?: string }).field;
    }
    expect(field).toBe('baseModels[0].args.maxIter');
  });

  it('trains a stack in a worker, registers it and predicts', async () => {
    const form = multipart([{ name: 'name', value: 'sep' }, { name: 'kind', value: 'tabular' }, { name: 'file', value: separableCsv(), filename: 'sep.csv' }]);
    const uploaded = (await (await fetch(`${base}/api/training/upload-dataset`, { method: 'POST', headers: { ...auth(t.tokenA), ...form.headers }, body: form.payload })).json()) as Record<string, any>;
    expect(uploaded.dataset).toMatchObject({ row_count: 120, label_distribution: { neg: 60, pos: 60 } });

    const rejected = await api('POST', '/api/training/start', { dataset_id: uploaded.dataset.id, model_kind: 'stack', model_name: 'sep', options: { cv: { splits: 1 } } });
    expect(rejected.status).toBe(400);
    expect(rejected.body.error).toMatchObject({ code: 'invalid_options', field: 'options.cv.splits' });
    const smuggled = await api('POST', '/api/training/start', { dataset_id: uploaded.dataset.id, model_kind: 'stack', model_name: 'sep', options: { inputs: { table: { file: '/etc/passwd' } } } });
    expect(smuggled.body.error).toMatchObject({ code: 'invalid_options', field: 'options.inputs' });

    const started = await api('POST', '/api/training/start', { dataset_id: uploaded.dataset.id, model_kind: 'stack', model_name: 'sep', options: tiny });
    expect(started.status).toBe(202);
    const session = await waitFor(async () => {
      const s = (await api('GET', `/api/training/session/${started.body.session_id}`)).body.session as Record<string, any>;
      return s.status === 'completed' || s.status === 'failed' ? s : undefined;
    }, 100_000, 'the stack training');
    expect(session.error).toBeNull();
    expect(session.status).toBe('completed');
    // a stump separates the classes: every out-of-fold prediction is right
    expect(session.metrics).toMatchObject({ accuracy: 1, balancedAccuracy: 1, f1Macro: 1, rows: 120 });
    expect(session.progress.stage).toEqual(expect.any(String));

    const models = await api('GET', '/api/models?name=sep');
    expect(models.body.models).toHaveLength(1);
    expect(models.body.models[0]).toMatchObject({ version: 1, is_current: true, model_kind: 'stack', classes: ['neg', 'pos'] });

    const report = await fetch(`${base}/api/training/session/${started.body.session_id}/report?access_token=${encodeURIComponent(t.tokenA)}`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toContain('text/html');
    const html = await report.text();
    expect(html).toContain('<svg');
    expect(html).toContain('pos');
    expect((await fetch(`${base}/api/training/session/${started.body.session_id}/report`, { headers: auth(t.tokenB) })).status).toBe(404);

    const predicted = await api('POST', '/api/models/sep/predict', { rows: [{ x1: -0.4, x2: 0.1, x3: 0 }, { x1: 0.45, x2: 0.5, x3: 1 }, { x1: 0.2, x2: 0, x3: -1, label: 'ignored' }] });
    expect(predicted.status).toBe(200);
    expect(predicted.body).toMatchObject({ class_names: ['neg', 'pos'], classes: ['neg', 'pos', 'pos'], count: 3 });
    for (const row of predicted.body.probabilities as number[][]) expect(row[0]! + row[1]!).toBeCloseTo(1, 5);
  });
});
