import { ContainerModule } from 'inversify';
import { Clock } from './clock.js';
import { ConversationManager } from './conversation-manager.js';
import { Logger } from './logger.js';
import { ParleyConfig } from './parley-config.js';
import { createPinoLogger } from './pino-logger.js';
import { SystemClock } from './system-clock.js';

/**
 * The core bindings: the system {@link Clock} and the pino {@link Logger} (singletons, each unless
 * already bound), and {@link ConversationManager} (transient: every `get` is a new manager).
 * Needs {@link ParleyConfig} bound (see `createParleyContainer`).
 */
export const coreModule = new ContainerModule(({ bind, isBound }) => {
  if (!isBound(Clock)) bind(Clock).to(SystemClock).inSingletonScope();
  if (!isBound(Logger)) {
    bind(Logger)
      .toDynamicValue((context) => createPinoLogger(context.get(ParleyConfig).log.level))
      .inSingletonScope();
  }
  bind(ConversationManager).toSelf().inTransientScope();
});
