import { PipelineError } from '@pipeline/core';
import type { CommandDefinition } from '../command.js';

interface ServeArgs {
  dataDir: string;
  host: string;
  port: number;
  concurrency: number;
  maxUploadMb: number;
}

/** `pipeline serve`: the training service (HTTP API, background trainings, model registry, web page). */
export const serveCommand: CommandDefinition = {
  command: 'serve',
  describe: 'Run the training service (HTTP API + web page) on a data directory; SQLite there, PostgreSQL if DATABASE_URL is set',
  examples: [
    ['$0 serve --data-dir data/server', 'listen on http://127.0.0.1:8080'],
    ['$0 serve --data-dir /srv/pipeline --host 0.0.0.0 --port 9000', 'listen on every interface, port 9000'],
  ],
  builder: (yargs) =>
    yargs
      .option('data-dir', { type: 'string', demandOption: true, describe: 'Database (SQLite), uploaded datasets and trained models' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
      .option('port', { type: 'number', default: 8080, describe: 'Port to listen on (0: any free port)' })
      .option('concurrency', { type: 'number', default: 1, describe: 'Trainings running at once (each in its own worker process)' })
      .option('max-upload-mb', { type: 'number', default: 50, describe: 'Largest accepted dataset upload, in MiB' }),
  async run(rawArgs, runtime) {
    const { startServer } = await import('@pipeline/server');
    const args = rawArgs as unknown as ServeArgs;
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
      throw new PipelineError('E_USAGE', `--port ${args.port} is not a port`, { field: 'port', hint: 'an integer from 0 to 65535' });
    }
    const { server, url } = await startServer({
      dataDir: runtime.resolvePath(args.dataDir),
      host: args.host,
      port: args.port,
      concurrency: args.concurrency,
      maxUploadBytes: Math.round(args.maxUploadMb * 1024 * 1024),
      logLevel: runtime.quiet ? 'warn' : 'info',
    });
    if (runtime.json) runtime.printJson({ url, dataDir: server.config.dataDir, database: server.config.databaseUrl === undefined ? 'sqlite' : 'postgresql' });
    else runtime.print(`pipeline server listening on ${url} (data in ${server.config.dataDir}); Ctrl-C stops it`);
    await new Promise<void>((resolve) => {
      if (runtime.signal.aborted) return resolve();
      runtime.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    return 0;
  },
};

interface TokenArgs {
  subject: string;
  action: string;
  dataDir: string;
  workspace: string;
}

/** `pipeline server token create`: prints a new bearer token for a workspace on stdout, nothing else. */
export const serverCommand: CommandDefinition = {
  command: 'server <subject> <action>',
  describe: 'Administer the training service: `server token create --workspace NAME` prints a new bearer token',
  examples: [['$0 server token create --data-dir data/server --workspace team-a', 'create workspace team-a if new and print a token for it']],
  builder: (yargs) =>
    yargs
      .positional('subject', { type: 'string', choices: ['token'], describe: 'What to administer' })
      .positional('action', { type: 'string', choices: ['create'], describe: 'What to do' })
      .option('data-dir', { type: 'string', demandOption: true, describe: "The server's data directory (its SQLite database; DATABASE_URL wins)" })
      .option('workspace', { type: 'string', demandOption: true, describe: 'Workspace name (created if new)' }),
  async run(rawArgs, runtime) {
    const { createWorkspaceToken } = await import('@pipeline/server');
    const args = rawArgs as unknown as TokenArgs;
    const token = await createWorkspaceToken({ dataDir: runtime.resolvePath(args.dataDir), workspace: args.workspace });
    if (runtime.json) runtime.printJson({ token, workspace: args.workspace });
    else runtime.print(token);
  },
};
