import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { DelegateFormat } from './command-delegate.js';
import { runConnect, type ConnectOptions } from './connect-command.js';
import { watchInterruption } from './interruption.js';
import { runDemo } from './demo-command.js';
import { runSimulateCommand } from './simulate-command.js';
import { checkScenarios, replayOne, type Output } from './replay-command.js';
import { UsageError } from './usage-error.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function protocolId(value: string): 'v1' | 'v2' | 'live' {
  if (value !== 'v1' && value !== 'v2' && value !== 'live') {
    throw new CommanderError(2, 'parley.usage', `--protocol must be v1, v2 or live, got ${value}`);
  }
  return value;
}

function demoProtocolId(value: string): 'v1' | 'v2' | 'live' {
  if (value !== 'v1' && value !== 'v2' && value !== 'live') {
    throw new CommanderError(2, 'parley.usage', `--protocol must be v1, v2 or live, got ${value}`);
  }
  return value;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new CommanderError(2, 'parley.usage', `not a port: ${value}`);
  return parsed;
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError(`not a number of seconds: ${value}`);
  return parsed;
}

function positiveSeconds(value: string): number {
  const parsed = seconds(value);
  if (parsed === 0) throw new InvalidArgumentError('must be more than 0 seconds');
  return parsed;
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !(parsed > 0)) throw new InvalidArgumentError(`not a positive number: ${value}`);
  return parsed;
}

function url(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InvalidArgumentError(`not a URL: ${value} (e.g. https://api.openai.com/v1 or http://127.0.0.1:8011)`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    throw new InvalidArgumentError(`not an http(s) or ws(s) URL: ${value}`);
  }
  return value;
}

/** An option that may be given once: a second occurrence is a usage error, not a silent override. */
function once(flag: string): (value: string, previous: string | undefined) => string {
  return (value, previous) => {
    if (previous !== undefined) throw new InvalidArgumentError(`${flag} can be given only once (got ${previous} and ${value})`);
    return value;
  };
}

/** The version of this package (`parley --version`). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const stdio: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * Builds the `parley` command. Each action stores its exit code in `exit.code`; commander handles
 * `--help` and usage errors.
 */
export function buildProgram(output: Output, exit: { code: number }): Command {
  const program = new Command('parley')
    .description('Parley: realtime voice-agent conversations — replay scenarios, run the demo, talk to a realtime server')
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('demo')
    .description('the whole story in one command: the embedded simulator, a scripted user, a built-in agent, a live timeline')
    .option('--protocol <id>', 'run only v1, v2 or live (default: v1, then v2, then live)', demoProtocolId)
    .option('--out <wav>', 'where to write the assistant audio', 'demo-output.wav')
    .option('--delegate-cmd <command>', 'use this command as the background agent instead of the built-in one')
    .addHelpText(
      'after',
      `
Starts the realtime simulator on a free loopback port, connects through the real WebSocket
transport, and plays a scripted user: a greeting, a request that needs the background agent, and
speech while the assistant talks (barge-in). Prints transcripts, the handoff (and the V1 grace),
the delegation and its answer, response gating deferrals, the truncation on barge-in, and a
summary from stats(); live: each delegation's offset, the late fragments, when and why it was
routed, the commentary spoken back and the server's own barge-in. Needs no API key and no network.`,
    )
    .action(async (options: { protocol?: 'v1' | 'v2' | 'live'; out: string; delegateCmd?: string }) => {
      exit.code = await runDemo(options, output);
    });

  program
    .command('simulate')
    .description('run the realtime simulator (v1, v2 or live) on loopback for your own tests, until Ctrl-C')
    .option('--protocol <id>', 'v1, v2 or live (the OpenAI Live API)', protocolId, 'v2')
    .option('--port <port>', 'port to listen on (default: a free one, printed)', port)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--script <file>', 'scripted mode: a JSON file of reply batches (batch i after the (i+1)-th client message)')
    .option(
      '--speed <factor>',
      'demo mode: how many times faster than real time answers stream (default 1: real time, as live)',
      positiveNumber,
    )
    .option(
      '--heard <text>',
      'demo mode: what the user is heard saying, one per utterance its VAD detects in your audio (repeatable, in order; cycled)',
      collect,
      [],
    )
    .addHelpText(
      'after',
      `
The simulator does not recognise speech: its energy VAD notices when you speak, and it "hears" the
--heard texts in order (default "Hello, can you hear me?"). To hand off from audio, e.g.:
  parley simulate --protocol v2 --port 8011 --heard "please look up the weather in Paris"`,
    )
    .action(
      async (options: {
        protocol: 'v1' | 'v2' | 'live';
        port?: number;
        host: string;
        script?: string;
        speed?: number;
        heard: string[];
      }) => {
        const interruption = watchInterruption();
        try {
          const running = await runSimulateCommand({ ...options, heard: options.heard.length > 0 ? options.heard : undefined }, output);
          await interruption.requested;
          await running.close();
        } finally {
          interruption.dispose();
        }
        exit.code = 0;
      },
    );

  program
    .command('replay')
    .description('play scenario files (spec 05) on virtual time and print their traces, or check them against their expect')
    .argument('[paths...]', 'scenario files, or with --check files and folders')
    .option('--trace <file>', 'write the trace (JSON Lines) to this file instead of stdout')
    .option('--check', 'compare each trace with the scenario\'s "expect"; exit 1 on any mismatch, with a readable diff')
    .option('--results <file>', 'with --check: also write {"passed":N,"failed":N} to this file')
    .addHelpText(
      'after',
      `
Examples:
  parley replay ../shared/scenarios/v1-exchange-and-handoff.json          trace to stdout
  parley replay my-scenario.json --trace out.jsonl                        trace to a file
  parley replay --check ../shared/scenarios test/scenarios                check every *.json

A scenario scripts one conversation: what the server sends and when, what the application does,
and what the delegate answers. It runs through the real core and protocol strategy on an in-memory
transport and a virtual clock, so a 10-minute scenario replays in milliseconds.`,
    )
    .action(async (paths: string[], options: { trace?: string; check?: boolean; results?: string }) => {
      if (options.check) {
        if (paths.length === 0) throw new CommanderError(2, 'parley.usage', 'replay --check needs at least one file or folder');
        const result = await checkScenarios(paths, output);
        if (options.results !== undefined) {
          mkdirSync(dirname(options.results), { recursive: true });
          writeFileSync(options.results, JSON.stringify(result) + '\n');
        }
        exit.code = result.failed > 0 ? 1 : 0;
        return;
      }
      if (paths.length !== 1) throw new CommanderError(2, 'parley.usage', 'replay takes exactly one scenario file (or use --check)');
      exit.code = await replayOne(paths[0] as string, options.trace, output);
    });

  program
    .command('connect')
    .description(
      'hold a live conversation with a realtime server (the OpenAI Realtime API, the simulator, or any server of the same dialects)',
    )
    .option('--url <url>', 'base URL of the server (realtime.url; default https://api.openai.com/v1)', url)
    .option('--protocol <id>', 'protocol: v1, v2 or live (realtime.protocol; default v2)')
    .option('--model <model>', 'model (realtime.model); "" lets the server choose')
    .option('--api-key <key>', 'API key (default: $OPENAI_API_KEY); not needed for loopback servers')
    .option('--voice <voice>', 'output voice (default: the protocol default)')
    .option('--instructions <text>', 'system instructions')
    .option('--session-id <id>', 'session id, sent as x-session-id')
    .option('--text <message>', 'send this user message after the start, then ask for a response (repeatable, in order)', collect, [])
    .option(
      '--in <wav>',
      'stream this WAV file as 20 ms audio frames in real time (converted to 24 kHz mono PCM16), then 1.5 s of silence',
      once('--in'),
    )
    .option('--out <wav>', 'write the assistant audio received as a 24 kHz mono PCM16 WAV, as it arrives', once('--out'))
    .option('--duration <seconds>', 'stay this long after the last input, then close (default: until the server closes or Ctrl-C)', seconds)
    .option('--json', 'print events as JSON Lines instead of a readable transcript')
    .option(
      '--delegate-cmd <command>',
      'run this command for each delegation: routed text on stdin, each stdout line is an assistant message',
    )
    .addOption(
      new Option('--delegate-format <format>', "how the delegate command's stdin/stdout are framed (see below)")
        .choices(['plain', 'json'])
        .default('plain'),
    )
    .option('--delegate-timeout <seconds>', 'kill a delegate command after this long (default 60)', positiveSeconds)
    .option('--record <file>', 'record the session as a scenario file for `parley replay` (no secrets), as it goes', once('--record'))
    .option(
      '--tool <name=command>',
      'bind a function tool <name> whose calls run <command> in a shell: arguments on stdin, stdout is the result (repeatable)',
      collect,
      [],
    )
    .option(
      '--tools <file.json>',
      'tool definitions: a JSON array of {name, description?, parameters?, behavior?, onInterrupt?, timeoutMs?, command?}',
      once('--tools'),
    )
    .option('--transcription-model <model>', 'v2 input transcription model (default gpt-4o-mini-transcribe); "" turns it off')
    .addOption(
      new Option('--turn-detection <type>', 'v2 turn detection; none = push-to-talk (--in is committed when the file ends)').choices([
        'server_vad',
        'semantic_vad',
        'none',
      ]),
    )
    .addOption(
      new Option('--audio-format <format>', 'audio format in and out (pcmu/pcma: G.711 8 kHz, v2 only; --in/--out need pcm16)').choices([
        'pcm16',
        'pcmu',
        'pcma',
      ]),
    )
    .addOption(new Option('--noise-reduction <type>', 'v2 input noise reduction').choices(['near_field', 'far_field', 'off']))
    .option('--allow-insecure', 'allow ws:// or http:// to non-loopback hosts')
    .option('--config <file>', 'load a JSON config file (repeatable)', collect, [])
    .addOption(new Option('--log-level <level>', 'log level on stderr (default error)').choices(LOG_LEVELS))
    .addHelpText(
      'after',
      `
Examples:
  OPENAI_API_KEY=sk-... parley connect --text "Hello!" --out reply.wav --duration 10
  parley connect --url http://127.0.0.1:8011 --protocol v1 --in question.wav --json
  parley connect --url http://127.0.0.1:8011 --delegate-cmd "node my-agent.js" --record session.json
  parley connect --url http://127.0.0.1:8011 --tool current_time='date -u +%H:%M' --text "what is the current time"

Delegate commands (--delegate-cmd): each runs in its own process group, stopped as a group
(SIGTERM, then SIGKILL after 1 s) when the conversation closes, on --delegate-timeout, and (v1)
when a newer handoff supersedes it. --delegate-format plain (default): the routed text and a
newline on stdin (the text may span lines), then one line per steering message; every non-empty
stdout line is one assistant message. --delegate-format json: one JSON object per line on stdin,
{"type":"delegation","handoffId","text","transcript"} then {"type":"steering","handoffId","text"};
each stdout line is a JSON string or {"text":"..."} (plain lines are taken as they are).
PARLEY_HANDOFF_ID and PARLEY_TEXT (its first 4096 characters) are in the environment.

Tools (--tool, --tools; v2): the model may call each tool; every call runs its command through the
shell, in its own process group: the call's arguments (JSON text, {} when empty) on stdin, then
stdin is closed; PARLEY_TOOL_NAME and PARLEY_CALL_ID in the environment. Exit 0: stdout (UTF-8,
trailing newlines removed, at most 1048576 bytes) is the result. A non-zero exit (with the last
stderr line), a signal, a command that cannot start or writes too much is an error the model hears.
When the call times out (timeoutMs, default realtime.tools.timeoutMs = 30000), is cancelled or the
conversation ends, the group gets SIGTERM, then SIGKILL after 2 s. A --tools definition takes its
command from --tool <name>=<command>, else its "command"; a --tool not in the file gets description
"" and parameters {"type":"object","properties":{}}. v1 refuses tools (exit 1).

Exit codes: 0 when closed by request (Ctrl-C, SIGTERM, --duration) or by the server; 1 when the
start failed (connection, handshake) or a fatal error ended the conversation; 2 for usage errors
(bad options or option values, unusable files, bad tool definitions, a missing API key, an insecure URL).
Ctrl-C or SIGTERM stops the input at once, aborts a start in progress and closes the conversation
(exit 0 within a second).`,
    )
    .action(async (options: ConnectOptions & { delegateTimeout?: number; delegateFormat: DelegateFormat }) => {
      const connectOptions: ConnectOptions = { ...options };
      if (options.delegateTimeout !== undefined) connectOptions.delegateTimeout = options.delegateTimeout * 1000;
      const interruption = watchInterruption();
      try {
        exit.code = await runConnect(connectOptions, { output, env: process.env, interrupted: interruption.requested });
      } finally {
        interruption.dispose();
      }
    });

  return program;
}

/** Runs the `parley` command with `argv` (without node and script); resolves with the exit code. */
export async function runCli(argv: string[], output: Output = stdio): Promise<number> {
  const exit = { code: 0 };
  const program = buildProgram(output, exit);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') return 0;
      if (error.code === 'parley.usage') output.err(`error: ${error.message}\n`);
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      output.err(`error: ${error.message}\n`);
      return 2;
    }
    output.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
