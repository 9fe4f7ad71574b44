import {
  Clock,
  ConversationManager,
  createParleyContainer,
  HandoffDelegate,
  Logger,
  RealtimeTool,
  loadParleyConfig,
  redactUrl,
  TransportFactory,
  type ConversationEvent,
  type Logger as LoggerType,
  type ParleyConfig,
  type ParleyConfigInput,
  type StartOptions,
} from '@parley/core';
import { ContainerModule } from 'inversify';
import { InMemoryTransport, type InMemoryConnection } from './in-memory-transport.js';
import type { Scenario, ScenarioStep, TraceRecord } from './scenario.js';
import { parseScenario } from './scenario-validation.js';
import { ScriptedDelegate } from './scripted-delegate.js';
import { declaredScenarioTool, ScriptedTool } from './scripted-tool.js';
import { advanceVirtualClock, settle, VirtualClock } from './virtual-clock.js';

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** Modules that register protocol strategies (e.g. `parserV1Module`, `parserV2Module`, your own). */
  modules: ContainerModule[];
  /** A logger (default: silent). */
  logger?: LoggerType;
}

const silentLogger: LoggerType = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = result[key];
    result[key] = isObject(current) && isObject(value) ? merge(current, value) : value;
  }
  return result;
}

function messageOf(error: unknown): { message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? { message: error.message, code } : { message: error.message };
  }
  return { message: String(error) };
}

/** The time at which the runner stops (spec 05: `endAt`, default last step + 5000 ms). */
export function scenarioEnd(scenario: Scenario): number {
  if (scenario.endAt !== undefined) return scenario.endAt;
  const last = scenario.steps[scenario.steps.length - 1];
  return (last?.at ?? 0) + 5000;
}

/**
 * Plays a scenario through the real core, the real protocol strategy (from `options.modules`) and
 * the real delegation code, on an in-memory transport and a virtual clock, and returns the trace
 * (spec 05). Never throws for anything the scenario does: failures become `error` records. A
 * scenario that does not match the schema ({@link validateScenario}) throws an
 * {@link InvalidScenarioError} naming every problem, before anything runs.
 */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<TraceRecord[]> {
  parseScenario(scenario);
  const trace: TraceRecord[] = [];
  const clock = new VirtualClock();
  const transport = new InMemoryTransport();
  let config: ParleyConfig;
  try {
    // Defaults (silent logs), then the scenario's config, then its protocol, which always wins.
    const overrides = merge(merge({ log: { level: 'silent' } }, (scenario.config ?? {}) as Record<string, unknown>), {
      realtime: { protocol: scenario.protocol },
    });
    config = loadParleyConfig(overrides as ParleyConfigInput);
  } catch (error) {
    trace.push({ t: 0, error: { step: 'start', ...messageOf(error) } });
    scenario.steps.forEach((step, index) => {
      if ('client' in step && step.client !== 'close') {
        trace.push({ t: step.at, error: { step: index, message: 'conversation is not running', code: 'ERR_NOT_RUNNING' } });
      }
    });
    return trace;
  }
  const replies = scenario.delegate?.replies;
  const runnerModule = new ContainerModule(({ bind }) => {
    bind(Clock).toConstantValue(clock);
    bind(Logger).toConstantValue(options.logger ?? silentLogger);
    bind(TransportFactory).toConstantValue(transport);
    if (replies !== undefined) bind(HandoffDelegate).toConstantValue(new ScriptedDelegate(replies, clock));
    for (const tool of scenario.tools ?? [])
      if (tool.replies !== undefined) bind(RealtimeTool).toConstantValue(new ScriptedTool(tool, clock));
  });
  const container = createParleyContainer({ config, before: [runnerModule], modules: options.modules });
  const manager = container.get(ConversationManager);
  manager.on((event: ConversationEvent) => {
    if (event.type === 'delegationStarted') {
      trace.push({
        t: clock.now(),
        delegate: { handoffId: event.handoffId, text: event.text, transcript: event.transcript, steering: event.steering },
      });
    } else {
      trace.push({ t: clock.now(), event: { ...event } });
    }
  });
  // The URL as 06 builds it, with credential-like query values and the keys shown as [redacted]
  // (issue 15 item 11: an Azure-style `api-key` in realtime.query never reaches a trace).
  transport.onConnect((url) => trace.push({ t: clock.now(), connect: { url: redactUrl(url, [config.realtime.apiKey, session.apiKey]) } }));
  transport.onSent((text) => trace.push({ t: clock.now(), wire: JSON.parse(text) as unknown }));

  const session: StartOptions = { apiKey: 'test-key', ...(scenario.session ?? {}) };
  const declared = (scenario.tools ?? []).filter((tool) => tool.replies === undefined).map(declaredScenarioTool);
  if (declared.length > 0) session.tools = [...(session.tools ?? []), ...declared];
  try {
    await manager.start(session);
  } catch (error) {
    trace.push({ t: clock.now(), error: { step: 'start', ...messageOf(error) } });
  }
  await settle();

  const fail = (step: number, error: unknown): void => {
    trace.push({ t: clock.now(), error: { step, ...messageOf(error) } });
  };
  const connection = (): InMemoryConnection | undefined => transport.connections[transport.connections.length - 1];

  const steps = scenario.steps.map((step, index) => ({ step, index })).sort((a, b) => a.step.at - b.step.at || a.index - b.index);
  for (const { step, index } of steps) {
    await advanceVirtualClock(clock, step.at);
    try {
      perform(step, index, manager, connection(), fail);
    } catch (error) {
      fail(index, error);
    }
    await advanceVirtualClock(clock, step.at);
  }
  await advanceVirtualClock(clock, scenarioEnd(scenario));
  if (manager.running || manager.stats().state === 'closing') {
    // A protocol may close with a handshake (live: session.close, then session.closed or its
    // timeout, spec 08): keep advancing the virtual clock, timer by timer, until `closed`.
    let closed = false;
    void manager.close().then(
      () => (closed = true),
      () => (closed = true),
    );
    await settle();
    while (!closed) {
      const due = clock.nextDue();
      if (due === undefined) break;
      await advanceVirtualClock(clock, due);
    }
  }
  await settle();
  trace.push({ t: clock.now(), stats: { ...manager.stats() } });
  return trace;
}

function perform(
  step: ScenarioStep,
  index: number,
  manager: ConversationManager,
  connection: InMemoryConnection | undefined,
  fail: (step: number, error: unknown) => void,
): void {
  const track = (promise: Promise<void>): void => {
    promise.catch((error: unknown) => fail(index, error));
  };
  if ('server' in step) connection?.serverText(JSON.stringify(step.server));
  else if ('serverText' in step) connection?.serverText(step.serverText);
  else if ('serverBinary' in step) connection?.serverBinary(new Uint8Array(Buffer.from(step.serverBinary, 'base64')));
  else if ('serverClose' in step) connection?.serverClose(step.serverClose.code ?? 1000, step.serverClose.reason ?? '');
  else if ('transport' in step) {
    if (step.transport === 'stall') connection?.stall();
    else connection?.unstall();
  } else {
    switch (step.client) {
      case 'audio': {
        const frame: { data: string; sampleRate?: number; numChannels?: number; samplesPerChannel?: number; itemId?: string } = {
          data: step.data,
        };
        if (step.sampleRate !== undefined) frame.sampleRate = step.sampleRate;
        if (step.numChannels !== undefined) frame.numChannels = step.numChannels;
        if (step.samplesPerChannel !== undefined) frame.samplesPerChannel = step.samplesPerChannel;
        if (step.itemId !== undefined) frame.itemId = step.itemId;
        const repeat = step.repeat ?? 1;
        for (let i = 0; i < repeat; i += 1) manager.sendAudio(frame);
        return;
      }
      case 'text':
        track(manager.sendText(step.text));
        return;
      case 'assistantOutput':
        track(
          step.handoffId === undefined
            ? manager.sendAssistantOutput(step.text)
            : manager.sendAssistantOutput(step.text, { handoffId: step.handoffId }),
        );
        return;
      case 'finishTurn':
        track(step.handoffId === undefined ? manager.finishTurn() : manager.finishTurn({ handoffId: step.handoffId }));
        return;
      case 'requestResponse':
        track(manager.requestResponse());
        return;
      case 'commitInput':
        track(manager.commitInput());
        return;
      case 'clearInput':
        track(manager.clearInput());
        return;
      case 'playback':
        manager.reportPlayback(step.itemId, step.playedMs);
        return;
      case 'close':
        track(manager.close());
        return;
      case 'toolOutput':
        track(
          step.error !== undefined
            ? manager.sendToolOutput(step.callId, step.error, { error: true })
            : manager.sendToolOutput(step.callId, step.output),
        );
        return;
    }
  }
}
