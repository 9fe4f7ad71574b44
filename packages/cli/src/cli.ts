import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, CommanderError } from 'commander';
import { checkScenarios, replayOne, type Output } from './replay-command.js';

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
    .exitOverride()
    .showHelpAfterError();

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
    output.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
