import { protectConfig } from './config-redaction.js';
import { Container, type ContainerModule } from 'inversify';
import { coreModule } from './core-module.js';
import { loadParleyConfig, ParleyConfig, type LoadConfigOptions, type ParleyConfigInput } from './parley-config.js';

/** Options of {@link createParleyContainer}. */
export interface ParleyContainerOptions {
  /** A validated config, or overrides validated now with {@link loadParleyConfig}. */
  config?: ParleyConfig | ParleyConfigInput;
  /** How overrides are loaded (environment, files); ignored when `config` is already validated. */
  configOptions?: LoadConfigOptions;
  /**
   * Modules loaded after the core module, in the given order (e.g. `parserV1Module`,
   * `parserV2Module`, `wsTransportModule`, then your own). Bindings made before `coreModule` are
   * kept: bind your own `Clock` or `Logger` in a module listed in `before`.
   */
  modules?: ContainerModule[];
  /** Modules loaded before the core module (to replace the default Clock or Logger). */
  before?: ContainerModule[];
}

/** Marks configs produced by {@link loadParleyConfig} so they are not validated twice. */
function isValidated(config: ParleyConfig | ParleyConfigInput): config is ParleyConfig {
  const realtime = (config as Partial<ParleyConfig>).realtime;
  const log = (config as Partial<ParleyConfig>).log;
  return (
    realtime?.queues?.audioIn !== undefined &&
    realtime.v1?.handoffGraceMs !== undefined &&
    log?.level !== undefined &&
    config.transport?.ws?.maxPayloadBytes !== undefined
  );
}

/**
 * Builds a container: binds the validated {@link ParleyConfig}, loads `before`, the core module,
 * then `modules`. Throws `ERR_INVALID_CONFIG` for an invalid configuration.
 */
export function createParleyContainer(options: ParleyContainerOptions = {}): Container {
  const input = options.config ?? {};
  const config = isValidated(input) ? input : loadParleyConfig(input, options.configOptions);
  const container = new Container();
  container.bind(ParleyConfig).toConstantValue(protectConfig(config));
  for (const module of options.before ?? []) container.load(module);
  container.load(coreModule);
  for (const module of options.modules ?? []) container.load(module);
  return container;
}
