import type { LogFields, Logger } from '@parley/core';

/** One line a {@link RecordingLogger} kept. */
export interface RecordedLogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields | undefined;
}

/** A {@link Logger} that keeps every line, for assertions in tests (and scans for secrets). */
export class RecordingLogger implements Logger {
  /** Every line, in order. */
  readonly lines: RecordedLogLine[] = [];

  debug(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'debug', message, fields });
  }

  info(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', message, fields });
  }

  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', message, fields });
  }

  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, fields });
  }

  /** Every line as JSON text, one per line (to search, e.g. for a planted secret). */
  text(): string {
    return this.lines.map((line) => JSON.stringify(line)).join('\n');
  }
}
