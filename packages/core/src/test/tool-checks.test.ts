import { expect } from 'chai';
import type { ParleyError } from '../parley-error.js';
import { checkTools } from '../tool-checks.js';
import { encodeToolValue, thrownDetail } from '../tool-output.js';
import { tool } from './tool-runner-fixture.js';

const v2 = { id: 'v2', supportsTools: true };

function failure(run: () => unknown): ParleyError {
  try {
    run();
  } catch (error) {
    return error as ParleyError;
  }
  throw new Error('expected the checks to fail');
}

function message(bound: unknown[], entries: unknown[] = [], protocol: { id: string; supportsTools?: boolean } = v2): string {
  const error = failure(() => checkTools(protocol, bound, entries));
  expect(error.code).to.equal('ERR_INVALID_SESSION');
  return error.message;
}

const good = tool('current_time', () => '10:15');

describe('tool start checks (spec 09 §1.3)', () => {
  it('rule 1: a protocol without supportsTools refuses any tool, naming bound then start-option tools (the spec example)', () => {
    expect(message([good], [{ type: 'function', name: 'lookup_order' }], { id: 'v1' })).to.equal(
      'protocol `v1` does not support tools; remove the tools (current_time, lookup_order) or use a protocol that does',
    );
    expect(message([{ name: 5 }], [{ type: 'mcp', server_label: 'deepwiki' }, 'x'], { id: 'v1' })).to.equal(
      'protocol `v1` does not support tools; remove the tools (RealtimeTool #0, deepwiki, tools[1]) or use a protocol that does',
    );
    expect(checkTools({ id: 'v1' }, [], [])).to.deep.equal({ specs: [], boundTools: [], tools: [] });
  });

  it('rules 2–9: each bound tool, in binding order, with the where of the message', () => {
    expect(message([good, { ...good, name: 'bad name' }])).to.equal(
      'RealtimeTool `bad name` has an invalid name; a tool name is 1 to 64 letters, digits, underscores or hyphens',
    );
    expect(message([{ ...good, name: 'x'.repeat(65) }])).to.contain('has an invalid name');
    expect(message([{ ...good, name: undefined }])).to.equal(
      'RealtimeTool #0 has an invalid name; a tool name is 1 to 64 letters, digits, underscores or hyphens',
    );
    expect(message([{ ...good, description: 1 }])).to.equal('RealtimeTool `current_time` needs a string description');
    expect(message([{ ...good, parameters: { type: 'array' } }])).to.equal(
      'RealtimeTool `current_time` needs parameters: a JSON Schema object with "type": "object"',
    );
    expect(message([{ ...good, parameters: [] }])).to.contain('needs parameters');
    expect(message([{ ...good, execute: 'run' }])).to.equal('RealtimeTool `current_time` needs an execute function');
    for (const timeoutMs of [0, 1.5, 2147483648, '10']) {
      expect(message([{ ...good, timeoutMs }])).to.equal(
        'RealtimeTool `current_time` has an invalid timeoutMs; use a whole number of milliseconds from 1 to 2147483647',
      );
    }
    expect(message([{ ...good, behavior: 'later' }])).to.equal(
      'RealtimeTool `current_time` has an invalid behavior; use "blocking" or "background"',
    );
    expect(message([{ ...good, onInterrupt: 'stop' }])).to.equal(
      'RealtimeTool `current_time` has an invalid onInterrupt; use "keep" or "cancel"',
    );
    expect(message([{ ...good, behavior: 'background', onInterrupt: 'cancel' }])).to.equal(
      'RealtimeTool `current_time` is a background tool; onInterrupt "cancel" applies only to blocking tools',
    );
  });

  it('runs the rules in order: an earlier rule on a later tool wins over a later rule on an earlier tool', () => {
    expect(
      message([
        { ...good, description: 1 },
        { ...good, name: '' },
      ]),
    ).to.contain('RealtimeTool `` has an invalid name');
  });

  it('keeps `this` of class tools (execute on the prototype counts)', () => {
    class Clock {
      readonly name = 'current_time';
      readonly description = '';
      readonly parameters = { type: 'object' };
      execute(): string {
        return this.name;
      }
    }
    expect(checkTools(v2, [new Clock()], []).boundTools).to.deep.equal([
      { name: 'current_time', description: '', parameters: { type: 'object' } },
    ]);
  });

  it('rules 10, 11: declared tools (function entries with a string name): name, timeoutMs, onInterrupt, behavior', () => {
    expect(message([], [{ type: 'function', name: 'a b' }])).to.equal(
      'tools[0] (`a b`) has an invalid name; a tool name is 1 to 64 letters, digits, underscores or hyphens',
    );
    expect(message([], [{ type: 'mcp' }, { type: 'function', name: 'x', timeoutMs: 0 }])).to.equal(
      'tools[1] (`x`) has an invalid timeoutMs; use a whole number of milliseconds from 1 to 2147483647',
    );
    expect(message([], [{ type: 'function', name: 'x', onInterrupt: 'no' }])).to.equal(
      'tools[0] (`x`) has an invalid onInterrupt; use "keep" or "cancel"',
    );
    expect(message([], [{ type: 'function', name: 'x', behavior: 'background' }])).to.equal(
      'tools[0] (`x`): behavior "background" needs an execute function; bind a RealtimeTool instead',
    );
  });

  it('rule 12: names are unique across bound and declared tools', () => {
    expect(message([good], [{ type: 'function', name: 'current_time' }])).to.equal(
      'tool name `current_time` is used twice; tool names must be unique',
    );
    expect(message([good, good])).to.equal('tool name `current_time` is used twice; tool names must be unique');
  });

  it('rule 13: everything sent must serialize', () => {
    const cycle: Record<string, unknown> = { type: 'object' };
    cycle.self = cycle;
    expect(message([{ ...good, parameters: cycle }])).to.match(
      /^RealtimeTool `current_time` cannot be sent: it is not JSON-serializable \(Converting circular structure to JSON.+\)$/s,
    );
    expect(message([], [{ type: 'mcp', server_label: 'x', n: 1n }])).to.equal(
      'tools[0] cannot be sent: it is not JSON-serializable (Do not know how to serialize a BigInt)',
    );
  });

  it('declaration order and Parley fields: bound tools first, declared tools sent without timeoutMs/onInterrupt/behavior (the spec example)', () => {
    const declared = {
      type: 'function',
      name: 'lookup_order',
      description: 'Order status.',
      parameters: { type: 'object', properties: { order_id: { type: 'string' } } },
      timeoutMs: 60000,
      onInterrupt: 'cancel',
    };
    const setup = checkTools(v2, [good], [declared, { type: 'mcp', server_label: 'x', timeoutMs: 5 }]);
    expect(setup.tools).to.deep.equal([
      {
        type: 'function',
        name: 'lookup_order',
        description: 'Order status.',
        parameters: { type: 'object', properties: { order_id: { type: 'string' } } },
      },
      { type: 'mcp', server_label: 'x', timeoutMs: 5 },
    ]);
    expect(setup.specs.map((spec) => [spec.name, spec.tool !== undefined, spec.timeoutMs, spec.behavior, spec.onInterrupt])).to.deep.equal([
      ['current_time', true, undefined, 'blocking', 'keep'],
      ['lookup_order', false, 60000, 'blocking', 'cancel'],
    ]);
  });

  it('a __proto__ key of a declared tool stays a key', () => {
    const entry = JSON.parse('{"type":"function","name":"x","__proto__":{"polluted":true}}') as unknown;
    const [sent] = checkTools(v2, [], [entry]).tools as Record<string, unknown>[];
    expect(Object.getPrototypeOf(sent)).to.equal(Object.prototype);
    expect(JSON.stringify(sent)).to.equal('{"type":"function","name":"x","__proto__":{"polluted":true}}');
  });
});

describe('tool output text (spec 09 §3.2)', () => {
  it('encodes values and thrown values', () => {
    expect([encodeToolValue('a'), encodeToolValue(undefined), encodeToolValue({ a: 1 }), encodeToolValue(10n)]).to.deep.equal([
      'a',
      '',
      '{"a":1}',
      undefined,
    ]);
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
      },
    );
    expect(thrownDetail(hostile)).to.equal('unprintable thrown value');
    expect(thrownDetail('x'.repeat(1001))).to.equal(`${'x'.repeat(1000)}…`);
    expect(thrownDetail('x'.repeat(1000))).to.equal('x'.repeat(1000));
  });
});
