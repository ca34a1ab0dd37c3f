/** Shared helpers of the server tests: a server on a temp data dir, tokens, multipart bodies. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type PipelineServer } from '../src/server.js';
import { registerModelKind } from '../src/model-kinds.js';
import { generateToken, hashToken } from '../src/http/tokens.js';
import { modelKind as priorKind } from './fixtures/prior-kind.js';

export const PRIOR_KIND_MODULE = fileURLToPath(new URL('./fixtures/prior-kind.ts', import.meta.url));

export const TRANSIT_HEADER = 'period,duration,depth,impact,snr,steff,srad,slogg,tmag,label';

/** A small transit CSV: `rows` rows, labels cycling CANDIDATE, CONFIRMED, FALSE POSITIVE, CONFIRMED. */
export function transitCsv(rows: number): string {
  const labels = ['CANDIDATE', 'CONFIRMED', 'FALSE POSITIVE', 'CONFIRMED'];
  const lines = [TRANSIT_HEADER];
  for (let i = 0; i < rows; i++) {
    lines.push([1.5 + i, 2.25, 100 + i, 0.3, 12.5, 5700, 1.01, 4.4, 12.1, labels[i % labels.length]].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export interface Part {
  readonly name: string;
  readonly value: string | Buffer;
  readonly filename?: string;
  readonly contentType?: string;
}

/** A multipart/form-data body and its content type. */
export function multipart(parts: readonly Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----pipelineTestBoundary7MA4YWxk';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"\r\nContent-Type: ${part.contentType ?? 'text/csv'}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`), Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export interface TestServer {
  readonly server: PipelineServer;
  readonly dataDir: string;
  /** Tokens of two workspaces, `a` and `b`. */
  readonly tokenA: string;
  readonly tokenB: string;
  close(): Promise<void>;
}

export async function startTestServer(options: { databaseUrl?: string; maxUploadBytes?: number; maxRows?: number; maxColumns?: number; rateLimitMax?: number; concurrency?: number; maxTrainingMs?: number } = {}): Promise<TestServer> {
  registerModelKind(priorKind);
  const dataDir = await mkdtemp(join(tmpdir(), 'pipeline-server-test-'));
  const server = await createServer({
    dataDir,
    databaseUrl: options.databaseUrl ?? '',
    logLevel: 'silent',
    extraKindModules: [PRIOR_KIND_MODULE],
    maxUploadBytes: options.maxUploadBytes ?? 64 * 1024,
    maxRows: options.maxRows ?? 1000,
    maxColumns: options.maxColumns ?? 50,
    rateLimitMax: options.rateLimitMax ?? 10_000,
    concurrency: options.concurrency ?? 1,
    ...(options.maxTrainingMs === undefined ? {} : { maxTrainingMs: options.maxTrainingMs }),
    webDir: join(dataDir, 'no-web'),
  });
  const tokens: string[] = [];
  for (const name of [`a-${dataDir.slice(-6)}`, `b-${dataDir.slice(-6)}`]) {
    const workspace = await server.repository.ensureWorkspace(name);
    const token = generateToken();
    await server.repository.insertToken(workspace.id, hashToken(token));
    tokens.push(token);
  }
  return {
    server,
    dataDir,
    tokenA: tokens[0]!,
    tokenB: tokens[1]!,
    close: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** Polls until `check` returns a value (not undefined) or the timeout passes. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
