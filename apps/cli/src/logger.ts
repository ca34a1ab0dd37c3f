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

/**
 * Adapts pino to the libraries' `Logger` (message first, fields second). `log` is called on the
 * first message, so the pino instance is created only when something is logged.
 */
export function toLogger(log: () => pino.Logger): Logger {
  return {
    debug: (message, fields) => log().debug(fields ?? {}, message),
    info: (message, fields) => log().info(fields ?? {}, message),
    warn: (message, fields) => log().warn(fields ?? {}, message),
    error: (message, fields) => log().error(fields ?? {}, message),
  };
}
