import {
  ConversationManager,
  createParleyContainer,
  HandoffDelegate,
  Logger,
  loadParleyConfig,
  TransportFactory,
  type ConversationEvent,
  type ParleyConfigInput,
  type StartOptions,
} from '@parley/core';
import { wsTransportModule } from '@parley/transport-ws';
import { CommandDelegate } from './command-delegate.js';
import { protocolModules } from './protocol-modules.js';
import type { Output } from './replay-command.js';
import { recordingDelegate, SessionRecorder } from './session-recorder.js';
import { TranscriptPrinter } from './transcript-printer.js';
import { readWavAs24kMono, toBase64Frames, WavCollector, FRAME_SAMPLES, WIRE_SAMPLE_RATE } from './wav-audio.js';
import { WireTap } from './wire-tap.js';

/** Options of `parley connect` (all optional; the configuration and environment fill the rest). */
export interface ConnectOptions {
  url?: string;
  protocol?: string;
  model?: string;
  apiKey?: string;
  voice?: string;
  instructions?: string;
  sessionId?: string;
  text?: string[];
  in?: string;
  out?: string;
  duration?: number;
  json?: boolean;
  delegateCmd?: string;
  delegateTimeout?: number;
  record?: string;
  allowInsecure?: boolean;
  logLevel?: string;
  config?: string[];
}

/** What the command needs from its surroundings (real in the CLI, fakes in tests). */
export interface ConnectEnvironment {
  output: Output;
  env: Record<string, string | undefined>;
  /** Resolves when the user asks to stop (Ctrl-C); the command then closes the conversation. */
  interrupted: Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `parley connect`: holds a live conversation with a realtime server over WebSockets. Prints a
 * readable transcript (or JSON Lines with `--json`), sends `--text` messages (each followed by a
 * response request) and `--in` audio in real time, writes `--out` audio, records with `--record`.
 * Resolves with the exit code: 0 when closed by request or by the server, 1 when the start failed
 * or a fatal error ended the conversation.
 */
export async function runConnect(options: ConnectOptions, environment: ConnectEnvironment): Promise<number> {
  const { output } = environment;
  const overrides: ParleyConfigInput = { realtime: {}, transport: { ws: {} }, log: {} };
  const realtime = overrides.realtime as Record<string, unknown>;
  if (options.url !== undefined) realtime.url = options.url;
  if (options.protocol !== undefined) realtime.protocol = options.protocol;
  if (options.model !== undefined) realtime.model = options.model;
  if (options.allowInsecure) (overrides.transport as { ws: Record<string, unknown> }).ws.allowInsecure = true;
  (overrides.log as Record<string, unknown>).level = options.logLevel ?? environment.env.PARLEY_LOG_LEVEL ?? 'warn';
  const config = loadParleyConfig(overrides, { env: environment.env, files: options.config });

  const started = Date.now();
  const recorder =
    options.record === undefined
      ? undefined
      : new SessionRecorder(
          () => Date.now(),
          config.realtime.protocol,
          { realtime: { v1: config.realtime.v1, v2: config.realtime.v2 } },
          {},
        );
  const printer = new TranscriptPrinter((line) => output.out(`${line}\n`));
  const audio = options.out === undefined ? undefined : new WavCollector();

  const modules = [...protocolModules, wsTransportModule];
  const container = createParleyContainer({ config, modules });
  if (recorder !== undefined) {
    const inner = container.get(TransportFactory);
    container.rebind(TransportFactory).toConstantValue(new WireTap(inner, recorder));
  }
  if (options.delegateCmd !== undefined) {
    const logger = container.get(Logger);
    const delegate = new CommandDelegate({ command: options.delegateCmd, timeoutMs: options.delegateTimeout, logger });
    container.bind(HandoffDelegate).toConstantValue(recorder === undefined ? delegate : recordingDelegate(delegate, recorder));
  }
  const manager = container.get(ConversationManager);

  let fatal = false;
  let closedResolve: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (closedResolve = resolve));
  manager.on((event: ConversationEvent) => {
    if (event.type === 'audioOut') audio?.add(event.data, event.sampleRate, event.numChannels);
    if (options.json) {
      const line = event.type === 'audioOut' ? { ...event, data: `<${Buffer.byteLength(event.data, 'base64')} bytes>` } : event;
      output.out(`${JSON.stringify({ t: Date.now() - started, ...line })}\n`);
    } else {
      printer.handle(event);
    }
    if (event.type === 'error' && event.fatal) fatal = true;
    if (event.type === 'closed') closedResolve();
  });

  const session: StartOptions = {};
  if (options.voice !== undefined) session.voice = options.voice;
  if (options.instructions !== undefined) session.instructions = options.instructions;
  if (options.sessionId !== undefined) session.sessionId = options.sessionId;
  if (options.apiKey !== undefined) session.apiKey = options.apiKey;
  try {
    await manager.start(session);
  } catch (error) {
    if (!options.json) printer.flush();
    output.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }

  const stop = Promise.race([closed, environment.interrupted.then(() => 'interrupted' as const)]);
  try {
    for (const text of options.text ?? []) {
      recorder?.input({ client: 'text', text });
      await manager.sendText(text);
      recorder?.input({ client: 'requestResponse' });
      await manager.requestResponse();
    }
    if (options.in !== undefined) {
      const frames = toBase64Frames(readWavAs24kMono(options.in));
      const frameMs = (FRAME_SAMPLES * 1000) / WIRE_SAMPLE_RATE;
      const begin = Date.now();
      for (const [index, data] of frames.entries()) {
        if (!manager.running) break;
        const frame = { data, sampleRate: WIRE_SAMPLE_RATE, numChannels: 1, samplesPerChannel: FRAME_SAMPLES };
        recorder?.input({ client: 'audio', ...frame });
        manager.sendAudio(frame);
        const wait = begin + (index + 1) * frameMs - Date.now();
        if (wait > 0) await Promise.race([sleep(wait), stop]);
      }
    }
  } catch (error) {
    if (manager.running) output.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  }

  if (options.duration !== undefined) await Promise.race([sleep(options.duration * 1000), stop]);
  else await stop;
  if (manager.running) {
    recorder?.input({ client: 'close' });
    await manager.close();
  }
  if (!options.json) printer.flush();
  if (audio !== undefined && options.out !== undefined) {
    audio.write(options.out);
    if (!options.json) output.out(`[audio] wrote ${audio.byteLength} bytes of assistant audio to ${options.out}\n`);
  }
  if (recorder !== undefined && options.record !== undefined) {
    recorder.write(options.record, `recorded ${new Date(started).toISOString()}`);
    if (!options.json) output.out(`[record] wrote ${options.record}\n`);
  }
  return fatal ? 1 : 0;
}
