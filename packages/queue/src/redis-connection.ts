import { PipelineError } from '@pipeline/core';
import { Redis } from 'ioredis';

/** Where Redis is: what `redis://[user:password@]HOST:PORT[/DB]` parses to (ioredis connection options). */
export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
}

/** Parses `redis://HOST:PORT[/DB]` (the `--queue` flag). A malformed URL is `E_USAGE` naming the flag. */
export function parseRedisUrl(url: string, field = 'queue'): RedisConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PipelineError('E_USAGE', `--${field} must be a redis:// URL, got '${url}'`, { field, hint: 'e.g. --queue redis://127.0.0.1:6379' });
  }
  if (parsed.protocol !== 'redis:' || parsed.hostname === '') {
    throw new PipelineError('E_USAGE', `--${field} must be a redis:// URL with a host, got '${url}'`, { field, hint: 'e.g. --queue redis://127.0.0.1:6379' });
  }
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? undefined : Number(dbText);
  if (db !== undefined && (!Number.isInteger(db) || db < 0)) {
    throw new PipelineError('E_USAGE', `--${field}: database '${dbText}' is not a non-negative integer`, { field, hint: 'e.g. redis://127.0.0.1:6379/0' });
  }
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === undefined ? {} : { db }),
  };
}

/** `host:port` for messages. */
export function describeConnection(connection: RedisConnection): string {
  return `redis://${connection.host}:${connection.port}${connection.db === undefined ? '' : `/${connection.db}`}`;
}

/**
 * An ioredis client for BullMQ (BullMQ 6 takes a constructed client in ESM programs). `blocking`
 * clients (workers, queue events) retry commands forever as BullMQ requires; the coordinator's
 * other client fails a command after one reconnection attempt, so no call waits for Redis forever.
 */
export function redisClient(connection: RedisConnection, blocking: boolean): Redis {
  return new Redis({
    ...connection,
    maxRetriesPerRequest: blocking ? null : 1,
    connectTimeout: 5000,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
    lazyConnect: false,
  });
}

/** Closes a client: QUIT when connected, a hard disconnect otherwise (or after 2 s). */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([client.quit().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
  clearTimeout(timer);
  client.disconnect();
}
