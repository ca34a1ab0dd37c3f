import { Writable } from 'node:stream';
import pino from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from '@pipeline/core';
import type { CliIo } from './io.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** pino on stderr: pretty on a TTY, JSON lines otherwise. */
export function createPino(io: CliIo, level: LogLevel): pino.Logger {
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      io.stderr(String(chunk));
      callback();
    },
  });
  const stream = io.stderrIsTTY === true ? pretty({ destination: sink, colorize: true, sync: true }) : sink;
  return pino({ level, base: null }, stream);
}

/** Adapts pino to the libraries' `Logger` (message first, fields second). */
export function toLogger(log: pino.Logger): Logger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
  };
}
