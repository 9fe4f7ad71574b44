import {
  ConversationManager,
  createParleyContainer,
  HandoffDelegate,
  isParleyError,
  Logger,
  loadParleyConfig,
  RealtimeTool,
  TransportFactory,
  type ConversationEvent,
  type ParleyConfig,
  type ParleyConfigInput,
  type StartOptions,
} from '@parley/core';
import { wsTransportModule } from '@parley/transport-ws';
import { streamAudioInput, TRAILING_SILENCE_MS } from './audio-input.js';
import { CommandDelegate, type DelegateFormat } from './command-delegate.js';
import { CommandTool, type CommandToolDefinition } from './command-tool.js';
import { checkConfigFiles, checkConnectFiles } from './connect-files.js';
import { protocolModules } from './protocol-modules.js';
import type { Output } from './replay-command.js';
import { recordingDelegate, recordingTool, SessionRecorder } from './session-recorder.js';
import { escapeForTerminal, jsonLine } from './terminal-text.js';
import { loadToolDefinitions, toolProblemInCliWords } from './tool-definitions.js';
import { TranscriptPrinter } from './transcript-printer.js';
import { describeStartFailure, startFailureExitCode, UsageError } from './usage-error.js';
import { waitOrStop } from './wait-or-stop.js';
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
  /** Milliseconds. */
  delegateTimeout?: number;
  delegateFormat?: DelegateFormat;
  record?: string;
  /** `--tool <name>=<command>` values (spec 09 §13.2): each binds a tool whose `execute` runs the command. */
  tool?: string[];
  /** `--tools <file.json>`: a JSON array of tool definitions (spec 09 §13.2). */
  tools?: string;
  allowInsecure?: boolean;
  logLevel?: string;
  config?: string[];
  /** `realtime.v2.transcription.model` (`""` turns input transcription off). */
  transcriptionModel?: string;
  /** `realtime.v2.turnDetection.type`: `server_vad`, `semantic_vad` or `none` (push-to-talk: `--in` is committed when it ends). */
  turnDetection?: string;
  /** `realtime.audio.format`: `pcm16`, `pcmu` or `pcma` (G.711 works with `--text`; `--in`/`--out` are PCM16 WAV). */
  audioFormat?: string;
  /** `realtime.v2.noiseReduction`: `near_field`, `far_field` or `off`. */
  noiseReduction?: string;
  /** How long to wait for a response after `--in` ended before saying none started (ms, default 5000). */
  noResponseAfterMs?: number;
}

/** What the command needs from its surroundings (real in the CLI, fakes in tests). */
export interface ConnectEnvironment {
  output: Output;
  env: Record<string, string | undefined>;
  /** Resolves when the user asks to stop (Ctrl-C, SIGTERM); the command then closes the conversation. */
  interrupted: Promise<unknown>;
}

/** The default stderr log level of `parley connect`: errors only (the transcript shows the rest). */
export const CONNECT_DEFAULT_LOG_LEVEL = 'error';

function loadConfig(options: ConnectOptions, env: Record<string, string | undefined>): ParleyConfig {
  const overrides: ParleyConfigInput = { realtime: {}, transport: { ws: {} }, log: {} };
  const realtime = overrides.realtime as Record<string, unknown>;
  if (options.url !== undefined) realtime.url = options.url;
  if (options.protocol !== undefined) realtime.protocol = options.protocol;
  if (options.model !== undefined) realtime.model = options.model;
  if (options.audioFormat !== undefined) realtime.audio = { format: options.audioFormat };
  const v2: Record<string, unknown> = {};
  if (options.transcriptionModel !== undefined) v2.transcription = { model: options.transcriptionModel };
  if (options.turnDetection !== undefined) v2.turnDetection = { type: options.turnDetection };
  if (options.noiseReduction !== undefined) v2.noiseReduction = options.noiseReduction;
  if (Object.keys(v2).length > 0) realtime.v2 = v2;
  if (options.allowInsecure) (overrides.transport as { ws: Record<string, unknown> }).ws.allowInsecure = true;
  (overrides.log as Record<string, unknown>).level = options.logLevel ?? env.PARLEY_LOG_LEVEL ?? CONNECT_DEFAULT_LOG_LEVEL;
  try {
    return loadParleyConfig(overrides, { env, files: options.config });
  } catch (error) {
    if (isParleyError(error, 'ERR_INVALID_CONFIG')) throw new UsageError(error.message);
    throw error;
  }
}

/** Events that show a response has started (both protocols). */
function isResponseStart(event: ConversationEvent): boolean {
  return (
    event.type === 'responseCreated' ||
    event.type === 'outputTranscriptDelta' ||
    event.type === 'audioOut' ||
    event.type === 'handoffRequested'
  );
}

/**
 * `parley connect`: holds a live conversation with a realtime server over WebSockets. Checks every
 * file option first (a bad one is a usage error, exit 2), then prints a readable transcript (or JSON
 * Lines with `--json`), sends `--text` messages (each followed by a response request) and `--in`
 * audio in real time (then trailing silence so the server's VAD ends the turn), writes `--out`
 * audio and the `--record` scenario as the session goes. A stop request (`interrupted`) stops the
 * input at once, aborts a start in progress, closes the conversation and stops delegate commands.
 * Resolves with the exit code: 0 when closed by request (or a stop request) or by the server, 1
 * when the start failed or a fatal error ended the conversation, 2 for usage errors.
 */
export async function runConnect(options: ConnectOptions, environment: ConnectEnvironment): Promise<number> {
  const { output } = environment;
  const fail = (message: string): void => output.err(`error: ${escapeForTerminal(message)}\n`);
  let stopRequested = false;
  const stopRequest = environment.interrupted.then(() => {
    stopRequested = true;
    return 'interrupted' as const;
  });
  let config: ParleyConfig;
  let files: ReturnType<typeof checkConnectFiles>;
  let toolDefinitions: CommandToolDefinition[];
  try {
    checkConfigFiles(options.config ?? []);
    config = loadConfig(options, environment.env);
    for (const text of options.text ?? []) {
      if (text.length > config.realtime.text.maxChars) {
        throw new UsageError(
          `--text: a message of ${text.length} characters is over the maximum of ${config.realtime.text.maxChars} (realtime.text.maxChars): split it, or raise the limit with --config`,
        );
      }
    }
    toolDefinitions = loadToolDefinitions(options.tool ?? [], options.tools);
    files = checkConnectFiles({ ...options, config: [] });
    if (config.realtime.audio.format !== 'pcm16' && (options.in !== undefined || options.out !== undefined)) {
      throw new UsageError(
        `--in and --out read and write PCM16 WAV files; with audio format ${config.realtime.audio.format} (G.711) use --text, or stream G.711 from your own application`,
      );
    }
  } catch (error) {
    if (error instanceof UsageError) {
      fail(error.message);
      return 2;
    }
    throw error;
  }
  const out = files.out;

  const started = Date.now();
  const recorder =
    options.record === undefined
      ? undefined
      : new SessionRecorder(
          () => Date.now(),
          config.realtime.protocol,
          {
            realtime: {
              audio: config.realtime.audio,
              v1: config.realtime.v1,
              v2: config.realtime.v2,
              // The tools' default timeouts, so a replay answers them as this session did.
              ...(toolDefinitions.length > 0 ? { tools: config.realtime.tools } : {}),
            },
          },
          {},
        );
  const stopRecording = recorder?.autosave(options.record as string, `recorded ${new Date(started).toISOString()}`);
  const printer = new TranscriptPrinter((line) => output.out(`${line}\n`));
  const note = (line: string): void => {
    if (options.json) output.err(`${escapeForTerminal(line)}\n`);
    else printer.note(line);
  };

  const container = createParleyContainer({ config, modules: [...protocolModules, wsTransportModule] });
  if (recorder !== undefined) {
    const inner = container.get(TransportFactory);
    container.rebind(TransportFactory).toConstantValue(new WireTap(inner, recorder));
  }
  let delegate: CommandDelegate | undefined;
  if (options.delegateCmd !== undefined) {
    delegate = new CommandDelegate({
      command: options.delegateCmd,
      timeoutMs: options.delegateTimeout,
      format: options.delegateFormat,
      supersede: config.realtime.protocol === 'v1',
      logger: container.get(Logger),
    });
    container.bind(HandoffDelegate).toConstantValue(recorder === undefined ? delegate : recordingDelegate(delegate, recorder));
  }
  for (const definition of toolDefinitions) {
    const tool = new CommandTool(definition);
    container.bind(RealtimeTool).toConstantValue(recorder === undefined ? tool : recordingTool(tool, recorder));
  }
  const manager = container.get(ConversationManager);

  let running = false;
  let fatal = false;
  let hinted = false;
  let responseStarts = 0;
  let closedResolve: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (closedResolve = resolve));
  manager.on((event: ConversationEvent) => {
    // A failed start is reported once, by the command, below.
    if (!running && event.type === 'error') return;
    if (event.type === 'started') running = true;
    if (event.type === 'audioOut') out?.add(event.data, event.sampleRate, event.numChannels);
    if (isResponseStart(event)) responseStarts += 1;
    if (options.json) {
      const line = event.type === 'audioOut' ? { ...event, data: `<${Buffer.byteLength(event.data, 'base64')} bytes>` } : event;
      output.out(`${jsonLine({ t: Date.now() - started, ...line })}\n`);
    } else {
      printer.handle(event);
    }
    if (event.type === 'delegationStarted' && delegate === undefined && !hinted) {
      hinted = true;
      note('[hint] nobody answers delegations in this run: add --delegate-cmd "<command>" to run your agent (see parley connect --help)');
    }
    if (event.type === 'error' && event.fatal) fatal = true;
    if (event.type === 'closed') {
      delegate?.stopAll();
      closedResolve();
    }
  });

  const finish = async (code: number): Promise<number> => {
    delegate?.stopAll();
    if (!options.json) printer.flush();
    out?.close();
    if (out !== undefined && !options.json) output.out(`[audio] wrote ${out.byteLength} bytes of assistant audio to ${out.path}\n`);
    if (stopRecording !== undefined) {
      stopRecording();
      if (!options.json) output.out(`[record] wrote ${options.record as string}\n`);
    }
    return code;
  };

  const session: StartOptions = {};
  if (options.voice !== undefined) session.voice = options.voice;
  if (options.instructions !== undefined) session.instructions = options.instructions;
  if (options.sessionId !== undefined) session.sessionId = options.sessionId;
  if (options.apiKey !== undefined) session.apiKey = options.apiKey;
  const starting = manager.start(session);
  // A stop request while connecting aborts the start at once.
  void stopRequest.then(() => (running ? undefined : manager.close()));
  try {
    await starting;
  } catch (error) {
    if (stopRequested) {
      note('[interrupted] the start was cancelled');
      return finish(0);
    }
    const message = describeStartFailure(error);
    // A tool problem only the protocol knows (V2: the handoff tool's name), in the command line's words.
    const located = isParleyError(error, 'ERR_INVALID_SESSION')
      ? toolProblemInCliWords(
          message,
          toolDefinitions.map((definition) => ({
            name: definition.name,
            where: options.tool?.some((value) => value.startsWith(`${definition.name}=`))
              ? `--tool \`${definition.name}\``
              : `--tools ${options.tools as string}: tool \`${definition.name}\``,
          })),
        )
      : undefined;
    fail(located ?? message);
    return finish(startFailureExitCode(error));
  }

  const stop = Promise.race([closed, stopRequest]);
  try {
    for (const text of options.text ?? []) {
      if (stopRequested || !manager.running) break;
      if (!options.json) printer.userText(text);
      recorder?.input({ client: 'text', text });
      await manager.sendText(text);
      recorder?.input({ client: 'requestResponse' });
      await manager.requestResponse();
    }
    if (files.input !== undefined && !stopRequested && manager.running) {
      const turnDetection = config.realtime.protocol === 'v2' ? config.realtime.v2.turnDetection : undefined;
      const pushToTalk = turnDetection?.type === 'none';
      await streamAudioInput(manager, files.input, {
        stopped: () => stopRequested || !manager.running,
        stop,
        sent: (frame) => recorder?.input({ client: 'audio', ...frame }),
        trailingSilenceMs: pushToTalk ? 0 : Math.max(TRAILING_SILENCE_MS, (turnDetection?.silenceDurationMs ?? 0) + 1000),
      });
      if (pushToTalk && !stopRequested && manager.running) {
        // Turn detection off (push-to-talk): the end of the file is the end of the turn.
        recorder?.input({ client: 'commitInput' });
        await manager.commitInput();
        recorder?.input({ client: 'requestResponse' });
        await manager.requestResponse();
      }
      const before = responseStarts;
      const waitMs = options.noResponseAfterMs ?? 5000;
      void waitOrStop(waitMs, stop).then((result) => {
        if (result === 'timeout' && responseStarts === before && manager.running && !stopRequested) {
          note(
            `[no response] nothing started within ${waitMs / 1000} s after the input ended: the server heard no turn ` +
              '(is the audio speech, and loud enough?) or does not answer by itself',
          );
        }
      });
    }
  } catch (error) {
    if (manager.running && !stopRequested) fail(error instanceof Error ? error.message : String(error));
  }

  if (options.duration !== undefined) await waitOrStop(options.duration * 1000, stop);
  else await stop;
  if (manager.running) {
    recorder?.input({ client: 'close' });
    await manager.close();
  }
  return finish(fatal ? 1 : 0);
}
