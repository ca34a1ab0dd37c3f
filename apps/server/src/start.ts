/**
 * What `pipeline serve` and `pipeline server token create` call (the CLI only parses and renders).
 */
import { mkdir } from 'node:fs/promises';
import { PipelineError } from '@pipeline/core';
import type { ServerConfig } from './config.js';
import { openRepository } from './db/open-repository.js';
import { createServer, type PipelineServer } from './server.js';
import { generateToken, hashToken } from './http/tokens.js';

const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Creates a bearer token for a workspace (created if new) and returns it; only its sha256 hash is
 * stored, so the token cannot be shown again.
 */
export async function createWorkspaceToken(options: { dataDir: string; workspace: string; databaseUrl?: string | undefined }): Promise<string> {
  if (!WORKSPACE_NAME.test(options.workspace)) {
    throw new PipelineError('E_USAGE', `'${options.workspace}' is not a workspace name`, { field: 'workspace', hint: 'letters, digits, . _ - (1–64)' });
  }
  await mkdir(options.dataDir, { recursive: true });
  const repository = await openRepository({ dataDir: options.dataDir, databaseUrl: options.databaseUrl ?? process.env.DATABASE_URL });
  try {
    const workspace = await repository.ensureWorkspace(options.workspace);
    const token = generateToken();
    await repository.insertToken(workspace.id, hashToken(token));
    return token;
  } finally {
    await repository.close();
  }
}

export interface StartedServer {
  readonly server: PipelineServer;
  readonly url: string;
}

/**
 * Starts the service and listens (default 127.0.0.1:8080). With `handleSignals`, SIGINT/SIGTERM shut
 * it down gracefully (uploads in flight finish, trainings are re-queued) and resolve `stopped`.
 */
export async function startServer(
  options: ServerConfig & { host?: string; port?: number; handleSignals?: boolean },
): Promise<StartedServer & { stopped: Promise<void> }> {
  const server = await createServer(options);
  let url: string;
  try {
    url = await server.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8080 });
  } catch (error) {
    await server.close();
    throw error;
  }
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const closeOnce = server.close;
  const wrapped: PipelineServer = {
    ...server,
    close: async () => {
      await closeOnce();
      markStopped();
    },
  };
  if (options.handleSignals === true) {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void wrapped.close();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }
  return { server: wrapped, url, stopped };
}
