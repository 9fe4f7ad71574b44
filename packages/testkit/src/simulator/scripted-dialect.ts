import type { DialectContext, SimulatorDialect } from './simulator-dialect.js';

/**
 * Scripted mode: after the (i+1)-th client frame of the connection (valid JSON or not), sends
 * batch i of `options.replies`, each entry as one frame, in order; nothing else, ever.
 */
export class ScriptedDialect implements SimulatorDialect {
  private received = 0;

  constructor(private readonly context: DialectContext) {}

  open(): void {}

  message(): void {
    const batch = this.context.options.replies[this.received];
    this.received += 1;
    if (batch === undefined) return;
    for (const event of batch) this.context.send(typeof event === 'string' ? event : (event as object));
  }

  dispose(): void {}
}
