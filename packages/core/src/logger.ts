import type { ServiceIdentifier } from 'inversify';

/** Structured log fields; never put a secret in them. */
export type LogFields = Record<string, unknown>;

/** A structured logger (pino by default, writing JSON lines to stderr). Secrets never reach it. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Service identifier of {@link Logger}. */
export const Logger = Symbol('Logger') as ServiceIdentifier<Logger>;
