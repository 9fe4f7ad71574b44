import { pino, type Logger as Pino } from 'pino';
import type { LogFields, Logger } from './logger.js';

/** Log levels accepted by `log.level`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Creates the default {@link Logger}: pino writing JSON lines to stderr (stdout stays the
 * application's), at `level`. Field names `apiKey`, `authorization` and `Authorization` are redacted
 * as a second line of defence; Parley never logs them in the first place.
 */
export function createPinoLogger(level: LogLevel, destination: number = 2): Logger {
  const logger: Pino = pino(
    {
      level,
      base: { name: 'parley' },
      redact: {
        paths: ['apiKey', 'authorization', 'Authorization', '*.apiKey', 'headers.authorization', 'headers.Authorization'],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: destination, sync: true }),
  );
  return {
    debug: (message: string, fields?: LogFields) => logger.debug(fields ?? {}, message),
    info: (message: string, fields?: LogFields) => logger.info(fields ?? {}, message),
    warn: (message: string, fields?: LogFields) => logger.warn(fields ?? {}, message),
    error: (message: string, fields?: LogFields) => logger.error(fields ?? {}, message),
  };
}
