import { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import type pino from 'pino';
import type PinoPretty from 'pino-pretty';
import type { Logger } from '@pipeline/core';
import type { CliIo } from './io.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * pino on stderr: pretty on a TTY (pass `pino-pretty`'s default export, loaded only then: it costs
 * start-up time), JSON lines otherwise.
 */
export function createPino(io: CliIo, level: LogLevel, pretty?: typeof PinoPretty): pino.Logger {
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      io.stderr(String(chunk));
      callback();
    },
  });
  const stream = io.stderrIsTTY === true && pretty !== undefined ? pretty({ destination: sink, colorize: true, sync: true }) : sink;
  // pino is loaded on the first log line (see toLogger's lazy use): a command that logs nothing never pays for it.
  const create = createRequire(import.meta.url)('pino') as typeof pino;
  return create({ level, base: null }, stream);
}

/** pino's numeric level of each name (what it compares to drop a line). */
const SEVERITY: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/**
 * Adapts pino to the libraries' `Logger` (message first, fields second). `log` is called on the
 * first message at or above `level` (lines below it are dropped here, as pino would drop them), so
 * the pino instance is created only when something is written: the libraries' debug lines of a
 * `train` at the default level cost nothing (loading pino took 0.1–0.3 s of start-up).
 */
export function toLogger(log: () => pino.Logger, level: LogLevel = 'trace'): Logger {
  const threshold = SEVERITY[level] ?? 0;
  const at = (name: 'debug' | 'info' | 'warn' | 'error'): boolean => SEVERITY[name]! >= threshold;
  return {
    debug: (message, fields) => (at('debug') ? log().debug(fields ?? {}, message) : undefined),
    info: (message, fields) => (at('info') ? log().info(fields ?? {}, message) : undefined),
    warn: (message, fields) => (at('warn') ? log().warn(fields ?? {}, message) : undefined),
    error: (message, fields) => (at('error') ? log().error(fields ?? {}, message) : undefined),
  };
}
