/**
 * Builds the training service: opens the database (migrations), sweeps files a crash left behind,
 * starts the job runner and the Fastify app (auth, rate limit, request ids, routes, OpenAPI,
 * web page). `close()` shuts down gracefully: no new requests, in-flight requests (uploads) finish,
 * running trainings are stopped and re-queued, leftover temporary files are removed.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyError } from 'fastify';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { pino, type Logger as PinoLogger } from 'pino';
import type { Logger } from '@pipeline/core';
import { resolveServerConfig, type ResolvedServerConfig, type ServerConfig } from './config.js';
import { openRepository } from './db/open-repository.js';
import type { Repository } from './db/repository.js';
import { JobRunner } from './jobs/job-runner.js';
import { registerBuiltinModelKinds } from './kinds/index.js';
import type { RouteContext } from './http/context.js';
import { HttpError, httpErrorFrom } from './http/http-error.js';
import { openApiDocument } from './http/openapi.js';
import { registerDatasetRoutes } from './http/routes-datasets.js';
import { registerModelRoutes } from './http/routes-models.js';
import { registerTrainingRoutes } from './http/routes-training.js';
import { bearerToken, hashToken } from './http/tokens.js';

export interface PipelineServer {
  readonly app: FastifyInstance;
  readonly repository: Repository;
  readonly runner: JobRunner;
  readonly config: ResolvedServerConfig;
  /** Listens and returns the address (`http://host:port`). */
  listen(options: { host?: string; port?: number }): Promise<string>;
  /** Graceful shutdown. */
  close(): Promise<void>;
}

const PUBLIC_PATHS = new Set(['/api/openapi.json', '/api/health']);
const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'unsupported_media_type',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

function coreLogger(log: PinoLogger): Logger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
  };
}

/** Removes temporary uploads, dataset files without a row, and model folders of unfinished sessions. */
async function sweepOrphans(dataDir: string, repository: Repository, log: Logger): Promise<void> {
  for (const name of await readdir(join(dataDir, 'uploads'))) {
    await rm(join(dataDir, 'uploads', name), { recursive: true, force: true });
    log.warn('removed an unfinished upload', { file: name });
  }
  const known = await repository.allDatasetFileNames();
  for (const name of await readdir(join(dataDir, 'datasets'))) {
    if (!known.has(name)) {
      await rm(join(dataDir, 'datasets', name), { recursive: true, force: true });
      log.warn('removed a dataset file without a database row', { file: name });
    }
  }
}

/** `…?access_token=SECRET&x=1` → `…?access_token=[redacted]&x=1`. */
export function redactQueryToken(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/g, '$1[redacted]');
}

export async function createServer(input: ServerConfig): Promise<PipelineServer> {
  const config = resolveServerConfig(input);
  for (const dir of ['', 'uploads', 'datasets', 'models']) await mkdir(join(config.dataDir, dir), { recursive: true });
  const log = pino(
    {
      level: config.logLevel,
      base: { service: 'pipeline-server' },
      // Request logs keep method, url and addresses; a token given in the query (EventSource and report
      // links cannot send headers) is replaced, so bearer tokens never reach the logs.
      serializers: {
        req: (request: { method?: string; url?: string; hostname?: string; ip?: string }) => ({
          method: request.method,
          url: redactQueryToken(request.url ?? ''),
          host: request.hostname,
          remoteAddress: request.ip,
        }),
      },
    },
    config.logStream as pino.DestinationStream,
  );
  const logger = coreLogger(log);
  await registerBuiltinModelKinds();
  const repository = await openRepository({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  await sweepOrphans(config.dataDir, repository, logger);
  const runner = new JobRunner({
    repository,
    dataDir: config.dataDir,
    concurrency: config.concurrency,
    maxTrainingMs: config.maxTrainingMs,
    logger: coreLogger(log.child({ component: 'jobs' })),
    extraKindModules: config.extraKindModules,
  });

  const app = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 10 * 1024 * 1024,
    forceCloseConnections: 'idle',
  });
  app.decorateRequest('workspace', undefined);
  const uploadsInFlight = new Set<string>();
  const context: RouteContext = { config, repository, runner, uploadsInFlight };

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = httpErrorFrom(error);
    if (mapped !== undefined) {
      if (mapped.status >= 500) request.log.error({ err: error }, mapped.message);
      return reply.code(mapped.status).send({ success: false, error: { code: mapped.code, message: mapped.message, ...mapped.details } });
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ success: false, error: { code: 'internal', message: 'internal error; see the server log for the request id', request_id: request.id } });
    }
    return reply.code(status === 406 ? 415 : status).send({ success: false, error: { code: STATUS_CODES[status] ?? 'bad_request', message: error.message } });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ success: false, error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    keyGenerator: (request) => {
      const token = bearerToken(request.headers.authorization) ?? (request.query as { access_token?: string } | undefined)?.access_token;
      return token === undefined ? `ip:${request.ip}` : `token:${hashToken(token)}`;
    },
    errorResponseBuilder: (_request, details) => ({
      statusCode: 429,
      success: false,
      error: { code: 'rate_limited', message: `rate limit of ${details.max} requests per ${details.after} exceeded; retry later` },
    }),
  });
  await app.register(multipart, { throwFileSizeLimit: true, limits: { fileSize: config.maxUploadBytes, files: 1 } });
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: config.maxUploadBytes }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!;
    if (!path.startsWith('/api/') || PUBLIC_PATHS.has(path)) return;
    // EventSource and links cannot send headers: the SSE stream and the report also take ?access_token=.
    const fromQuery = path.endsWith('/events') || path.endsWith('/report') ? (request.query as { access_token?: string } | undefined)?.access_token : undefined;
    const token = bearerToken(request.headers.authorization) ?? fromQuery;
    if (token === undefined) throw new HttpError(401, 'unauthorized', 'missing bearer token: send Authorization: Bearer <token> (create one with `pipeline server token create`)');
    const workspace = await repository.workspaceForToken(hashToken(token));
    if (workspace === undefined) throw new HttpError(401, 'unauthorized', 'unknown bearer token');
    request.workspace = workspace;
  });

  app.get('/api/health', async () => ({ success: true, status: 'ok', ...runner.load }));
  app.get('/api/openapi.json', async () => openApiDocument);
  registerDatasetRoutes(app, context);
  registerTrainingRoutes(app, context);
  registerModelRoutes(app, context);

  const webDir = config.webDir ?? fileURLToPath(new URL('../web', import.meta.url));
  if (existsSync(webDir)) await app.register(fastifyStatic, { root: webDir, prefix: '/', index: ['index.html'] });

  await app.ready();
  await runner.start();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      runner.emit('shutdown'); // ends the SSE streams, which would hold the server open
      await app.close();
      await runner.stop();
      for (const tmp of uploadsInFlight) await rm(tmp, { force: true });
      await repository.close();
      log.info('server stopped');
    })();
    return closing;
  };

  return {
    app,
    repository,
    runner,
    config,
    listen: async ({ host = '127.0.0.1', port = 8080 }) => app.listen({ host, port }),
    close,
  };
}
