/**
 * Trainings: `POST /api/training/start` (202 + session id), `GET /api/training/sessions`,
 * `GET /api/training/session/:id`, `POST /api/training/session/:id/cancel` and the live progress
 * stream `GET /api/training/session/:id/events` (server-sent events: one `session` event per change,
 * then `end` once the session is completed, failed or cancelled) and the run's report
 * `GET /api/training/session/:id/report` (HTML with charts, when the kind wrote one).
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isPipelineError } from '@pipeline/core';
import { TERMINAL_STATUSES, type SessionStatus } from '../db/records.js';
import { getModelKind, modelKindNames } from '../model-kinds.js';
import { workspaceOf, type RouteContext } from './context.js';
import { HttpError } from './http-error.js';
import { sessionJson } from './serialize.js';
import { parseOrThrow } from './validation.js';

export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const startBody = z.object({
  dataset_id: z.string().min(1).max(100),
  model_kind: z.string().min(1).max(100),
  model_name: z.string().regex(MODEL_NAME, 'letters, digits, . _ - (1–64, starting with a letter or digit)'),
  options: z.record(z.string(), z.unknown()).optional(),
});

const listQuery = z.object({
  status: z.enum(['pending', 'training', 'completed', 'failed', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

const idParams = z.object({ id: z.string().min(1).max(100) });

export function registerTrainingRoutes(app: FastifyInstance, context: RouteContext): void {
  const { repository, runner } = context;

  app.post('/api/training/start', async (request, reply) => {
    const workspace = workspaceOf(request);
    const body = parseOrThrow(startBody, request.body ?? {});
    if (!modelKindNames().includes(body.model_kind)) {
      throw new HttpError(400, 'unknown_model_kind', `unknown model kind '${body.model_kind}'; use one of: ${modelKindNames().join(', ')}`, {
        field: 'model_kind',
        known: modelKindNames(),
      });
    }
    const kind = getModelKind(body.model_kind);
    const dataset = await repository.getDataset(workspace.id, body.dataset_id);
    if (dataset === undefined) throw new HttpError(404, 'not_found', `dataset ${body.dataset_id} not found`, { field: 'dataset_id' });
    if (!kind.datasetKinds.includes(dataset.kind)) {
      throw new HttpError(400, 'incompatible_dataset', `model kind '${kind.kind}' trains on ${kind.datasetKinds.join(' or ')} datasets; dataset ${dataset.id} is '${dataset.kind}'`, {
        field: 'dataset_id',
      });
    }
    let options: unknown;
    try {
      options = kind.validateOptions(body.options ?? {});
    } catch (error) {
      if (error instanceof HttpError) throw error;
      const field = isPipelineError(error) ? error.field : undefined;
      throw new HttpError(400, 'invalid_options', error instanceof Error ? error.message : String(error), field === undefined ? {} : { field: `options.${field}` });
    }
    const session = await repository.insertSession({
      workspaceId: workspace.id,
      datasetId: dataset.id,
      modelKind: kind.kind,
      modelName: body.model_name,
      options,
    });
    runner.enqueue(session.id);
    request.log.info({ sessionId: session.id, kind: kind.kind }, 'training queued');
    return reply.code(202).send({ success: true, session_id: session.id, session: sessionJson(session) });
  });

  app.get('/api/training/sessions', async (request) => {
    const workspace = workspaceOf(request);
    const query = parseOrThrow(listQuery, request.query ?? {});
    const filter = { ...(query.status === undefined ? {} : { status: query.status as SessionStatus }), ...(query.limit === undefined ? {} : { limit: query.limit }) };
    const [sessions, total] = await Promise.all([repository.listSessions(workspace.id, filter), repository.countSessions(workspace.id, filter.status)]);
    return { success: true, sessions: sessions.map(sessionJson), count: sessions.length, total };
  });

  app.get('/api/training/session/:id', async (request) => {
    const workspace = workspaceOf(request);
    const { id } = parseOrThrow(idParams, request.params);
    const session = await repository.getSession(workspace.id, id);
    if (session === undefined) throw new HttpError(404, 'not_found', `training session ${id} not found`);
    return { success: true, session: sessionJson(session) };
  });

  app.post('/api/training/session/:id/cancel', async (request) => {
    const workspace = workspaceOf(request);
    const { id } = parseOrThrow(idParams, request.params);
    const session = await repository.getSession(workspace.id, id);
    if (session === undefined) throw new HttpError(404, 'not_found', `training session ${id} not found`);
    if (TERMINAL_STATUSES.includes(session.status)) {
      throw new HttpError(409, 'conflict', `training session ${id} is already ${session.status}`);
    }
    await runner.cancel(session);
    const after = (await repository.getSession(workspace.id, id))!;
    return { success: true, session: sessionJson(after) };
  });

  app.get('/api/training/session/:id/report', async (request, reply) => {
    const workspace = workspaceOf(request);
    const { id } = parseOrThrow(idParams, request.params);
    const session = await repository.getSession(workspace.id, id);
    if (session === undefined) throw new HttpError(404, 'not_found', `training session ${id} not found`);
    const file = session.status === 'completed' && session.artifactDir !== null ? join(session.artifactDir, 'report.html') : undefined;
    if (file === undefined || !existsSync(file)) throw new HttpError(404, 'not_found', `training session ${id} has no report (${session.status}; model kind ${session.modelKind})`);
    return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:").send(createReadStream(file));
  });

  app.get('/api/training/session/:id/events', async (request, reply) => {
    const workspace = workspaceOf(request);
    const { id } = parseOrThrow(idParams, request.params);
    const first = await repository.getSession(workspace.id, id);
    if (first === undefined) throw new HttpError(404, 'not_found', `training session ${id} not found`);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-request-id': String(request.id),
    });
    let closed = false;
    let lastSent = '';
    let busy = Promise.resolve();
    const finish = (): void => {
      if (closed) return;
      closed = true;
      runner.off('update', onUpdate);
      runner.off('shutdown', finish);
      clearInterval(heartbeat);
      raw.end();
    };
    const send = async (): Promise<void> => {
      if (closed) return;
      const session = await repository.getSession(workspace.id, id);
      if (session === undefined || closed) return finish();
      const data = JSON.stringify(sessionJson(session));
      if (data !== lastSent) {
        lastSent = data;
        raw.write(`event: session\ndata: ${data}\n\n`);
      }
      if (TERMINAL_STATUSES.includes(session.status)) {
        raw.write(`event: end\ndata: ${JSON.stringify({ status: session.status })}\n\n`);
        finish();
      }
    };
    const onUpdate = (sessionId: string): void => {
      if (sessionId === id) busy = busy.then(send).catch(() => finish());
    };
    const heartbeat = setInterval(() => {
      if (!closed) raw.write(': ping\n\n');
    }, 15_000);
    heartbeat.unref();
    runner.on('update', onUpdate);
    runner.on('shutdown', finish);
    raw.on('close', finish);
    busy = busy.then(send).catch(() => finish());
  });
}
