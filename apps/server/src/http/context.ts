import type { FastifyRequest } from 'fastify';
import type { ResolvedServerConfig } from '../config.js';
import type { Repository } from '../db/repository.js';
import type { Workspace } from '../db/records.js';
import type { JobRunner } from '../jobs/job-runner.js';
import { HttpError } from './http-error.js';

/** What every route needs. */
export interface RouteContext {
  readonly config: ResolvedServerConfig;
  readonly repository: Repository;
  readonly runner: JobRunner;
  /** Temporary upload files being written (removed on shutdown if still there). */
  readonly uploadsInFlight: Set<string>;
}

declare module 'fastify' {
  interface FastifyRequest {
    workspace: Workspace | undefined;
  }
}

/** The request's workspace (set by the auth hook); 401 if none. */
export function workspaceOf(request: FastifyRequest): Workspace {
  if (request.workspace === undefined) throw new HttpError(401, 'unauthorized', 'a bearer token is required');
  return request.workspace;
}
