import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadToolDefinitions, toolProblemInCliWords } from '../tool-definitions.js';
import { UsageError } from '../usage-error.js';

describe('tool definitions of parley connect (--tool, --tools)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-tool-definitions-'));
  });

  function file(value: unknown): string {
    const path = join(dir, 'tools.json');
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  }

  function problem(flags: string[], tools?: string): string {
    try {
      loadToolDefinitions(flags, tools);
    } catch (error) {
      expect(error).to.be.instanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error('expected a usage error');
  }

  it('a --tool alone: description "", parameters {"type":"object","properties":{}}; the command is all after the first =', () => {
    expect(loadToolDefinitions(['current_time=date -u +%H:%M', 'sum=expr 1 = 1'], undefined)).to.deep.equal([
      { name: 'current_time', description: '', parameters: { type: 'object', properties: {} }, command: 'date -u +%H:%M' },
      { name: 'sum', description: '', parameters: { type: 'object', properties: {} }, command: 'expr 1 = 1' },
    ]);
  });

  it('file definitions first (file order), then --tool names the file does not define; --tool gives a definition its command', () => {
    const tools = file([
      {
        name: 'lookup_order',
        description: 'Order status.',
        parameters: { type: 'object', properties: { order_id: { type: 'string' } } },
        timeoutMs: 60000,
        onInterrupt: 'cancel',
        command: 'node lookup.js',
      },
      { name: 'book_table', behavior: 'background' },
    ]);
    expect(loadToolDefinitions(['weather=curl -s wttr.in', 'book_table=./book.sh', 'lookup_order=./other.sh'], tools)).to.deep.equal([
      {
        name: 'lookup_order',
        description: 'Order status.',
        parameters: { type: 'object', properties: { order_id: { type: 'string' } } },
        timeoutMs: 60000,
        onInterrupt: 'cancel',
        command: './other.sh',
      },
      { name: 'book_table', description: '', parameters: { type: 'object', properties: {} }, behavior: 'background', command: './book.sh' },
      { name: 'weather', description: '', parameters: { type: 'object', properties: {} }, command: 'curl -s wttr.in' },
    ]);
  });

  it('an empty file defines no tools', () => {
    expect(loadToolDefinitions([], file([]))).to.deep.equal([]);
  });

  it('malformed --tool values', () => {
    for (const value of ['current_time', '=date', 'current_time=', 'current_time=   ', '']) {
      expect(problem([value])).to.equal(`--tool expects <name>=<command>, got ${value}`);
    }
  });

  it('a --tool name given twice', () => {
    expect(problem(['a=echo 1', 'b=echo 2', 'a=echo 3'])).to.equal('--tool `a` is given twice');
  });

  it('a definition without a command', () => {
    expect(problem([], file([{ name: 'lookup_order', description: 'Order status.' }]))).to.equal(
      'tool `lookup_order` has no command: add --tool lookup_order=<command> or a "command" field',
    );
  });

  it('unknown keys, non-object entries, bad commands and unreadable files name the file', () => {
    const tools = file([{ name: 'x', command: 'true', type: 'function' }]);
    expect(problem([], tools)).to.equal(
      `--tools ${tools}: tool \`x\` has an unknown key \`type\`; a tool definition has only the keys name, description, parameters, behavior, onInterrupt, timeoutMs, command`,
    );
    file('[{"command":"true","__proto__":{}}]');
    expect(problem([], tools)).to.equal(
      `--tools ${tools}: tool #0 has an unknown key \`__proto__\`; a tool definition has only the keys name, description, parameters, behavior, onInterrupt, timeoutMs, command`,
    );
    file([{ name: 'x', command: 'true' }, 'y']);
    expect(problem([], tools)).to.equal(
      `--tools ${tools}: tool #1 is not a JSON object; a tool definition is {"name", "description", "parameters", "behavior", "onInterrupt", "timeoutMs", "command"}`,
    );
    file({ name: 'x' });
    expect(problem([], tools)).to.equal(
      `--tools ${tools}: a tools file holds a JSON array of tool definitions {"name", "description", "parameters", "behavior", "onInterrupt", "timeoutMs", "command"}`,
    );
    for (const command of [5, '', '  ', null]) {
      file([{ name: 'x', command }]);
      expect(problem([], tools)).to.equal(
        `--tools ${tools}: tool \`x\` has an invalid command; use a non-empty string (a shell command line)`,
      );
    }
    file('[{"name": "x",}]');
    expect(problem([], tools)).to.match(new RegExp(`^--tools ${tools.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON \\(`));
    const missing = join(dir, 'missing.json');
    expect(problem([], missing)).to.equal(`--tools ${missing}: cannot be read (no such file or folder)`);
    expect(problem([], dir)).to.equal(`--tools ${dir}: cannot be read (is a folder)`);
  });

  describe('spec 09 §1.3 rules 2–12, in the command line words', () => {
    const cases: [string, unknown, string][] = [
      [
        '2 (a name that is not 1 to 64 letters, digits, _ or -)',
        { name: 'bad name' },
        'tool `bad name` has an invalid name; a tool name is 1 to 64 letters, digits, underscores or hyphens',
      ],
      [
        '2 (65 characters)',
        { name: 'x'.repeat(65) },
        `tool \`${'x'.repeat(65)}\` has an invalid name; a tool name is 1 to 64 letters, digits, underscores or hyphens`,
      ],
      [
        '2 (no name)',
        { description: 'nameless' },
        'tool #0 has an invalid name; a tool name is 1 to 64 letters, digits, underscores or hyphens',
      ],
      ['3', { name: 'x', description: 5 }, 'tool `x` needs a string description'],
      [
        '4 (not an object schema)',
        { name: 'x', parameters: { type: 'array' } },
        'tool `x` needs parameters: a JSON Schema object with "type": "object"',
      ],
      ['4 (not an object)', { name: 'x', parameters: [] }, 'tool `x` needs parameters: a JSON Schema object with "type": "object"'],
      ['6 (0)', { name: 'x', timeoutMs: 0 }, 'tool `x` has an invalid timeoutMs; use a whole number of milliseconds from 1 to 2147483647'],
      [
        '6 (a fraction)',
        { name: 'x', timeoutMs: 1.5 },
        'tool `x` has an invalid timeoutMs; use a whole number of milliseconds from 1 to 2147483647',
      ],
      [
        '6 (too large)',
        { name: 'x', timeoutMs: 2147483648 },
        'tool `x` has an invalid timeoutMs; use a whole number of milliseconds from 1 to 2147483647',
      ],
      ['7', { name: 'x', behavior: 'later' }, 'tool `x` has an invalid behavior; use "blocking" or "background"'],
      ['8', { name: 'x', onInterrupt: 'never' }, 'tool `x` has an invalid onInterrupt; use "keep" or "cancel"'],
      [
        '9',
        { name: 'x', behavior: 'background', onInterrupt: 'cancel' },
        'tool `x` is a background tool; onInterrupt "cancel" applies only to blocking tools',
      ],
    ];
    for (const [rule, definition, message] of cases) {
      it(`rule ${rule}`, () => {
        const tools = file([{ command: 'true', ...(definition as object) }]);
        expect(problem([], tools)).to.equal(`--tools ${tools}: ${message}`);
      });
    }

    it('rule 12: a name defined twice in the file', () => {
      const tools = file([
        { name: 'x', command: 'true' },
        { name: 'x', command: 'false' },
      ]);
      expect(problem([], tools)).to.equal(`--tools ${tools}: tool name \`x\` is used twice; tool names must be unique`);
    });

    it('rule 2 for a --tool name', () => {
      expect(problem(['bad.name=echo'])).to.equal(
        '--tool `bad.name` has an invalid name; a tool name is 1 to 64 letters, digits, underscores or hyphens',
      );
    });

    it('rules are checked in order over all definitions (rule 2 of a later tool before rule 3 of an earlier one)', () => {
      const tools = file([
        { name: 'x', description: 5, command: 'true' },
        { name: 'y', command: 'true' },
      ]);
      expect(problem(['bad.name=echo'], tools)).to.equal(
        '--tool `bad.name` has an invalid name; a tool name is 1 to 64 letters, digits, underscores or hyphens',
      );
    });
  });

  it('toolProblemInCliWords maps a RealtimeTool name or index only when followed by a space or a colon', () => {
    const definitions = [
      { name: 'ab', where: '--tool `ab`' },
      { name: 5, where: '--tools f.json: tool #1' },
    ];
    expect(toolProblemInCliWords('RealtimeTool `ab` needs a string description', definitions)).to.equal(
      '--tool `ab` needs a string description',
    );
    expect(toolProblemInCliWords('RealtimeTool #1: behavior', definitions)).to.equal('--tools f.json: tool #1: behavior');
    expect(toolProblemInCliWords('RealtimeTool `abc` needs', definitions)).to.equal(undefined);
    expect(toolProblemInCliWords('protocol `v1` does not support tools', definitions)).to.equal(undefined);
  });
});
