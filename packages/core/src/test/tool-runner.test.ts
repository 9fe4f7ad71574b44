import { expect } from 'chai';
import { ParleyError } from '../parley-error.js';
import type { ToolCall } from '../realtime-tool.js';
import { DEFAULT_BACKGROUND_STARTED_OUTPUT } from '../tool-output.js';
import { RunnerFixture, deferred, flush, tool } from './tool-runner-fixture.js';

const err = (message: string): string => JSON.stringify({ error: message });

describe('ToolRunner (spec 09)', () => {
  describe('§2 admission', () => {
    it('emits toolCall, then answers an unknown tool at once with an error (the spec example)', async () => {
      const f = new RunnerFixture();
      expect(f.call('call_9', 'launch_rocket', '{}', { itemId: 'item_9' })).to.equal('new');
      expect(f.seen[0]).to.deep.equal({
        at: 0,
        event: { type: 'toolCall', callId: 'call_9', name: 'launch_rocket', arguments: '{}', itemId: 'item_9' },
      });
      await flush();
      expect(f.outputs).to.deep.equal([{ callId: 'call_9', output: '{"error":"unknown tool `launch_rocket`"}', at: 0 }]);
      expect(f.results).to.deep.equal([
        {
          type: 'toolResult',
          callId: 'call_9',
          name: 'launch_rocket',
          output: '{"error":"unknown tool `launch_rocket`"}',
          error: true,
          reason: 'unknown_tool',
        },
      ]);
      expect(f.runner.stats).to.include({ toolCalls: 1, toolErrors: 1, pendingToolCalls: 0 });
    });

    it('a second sighting of the same item is an echo; another item with the call id is a duplicate, counted once', async () => {
      const runs: string[] = [];
      const f = new RunnerFixture([tool('t', (_args, call) => void runs.push(call.callId))]);
      expect(f.call('c1', 't', '{}', { itemId: 'i1' })).to.equal('new');
      expect(f.call('c1', 't', '{}', { itemId: 'i1' })).to.equal('echo');
      expect(f.call('c1', 't', '{}', { itemId: 'i2' })).to.equal('duplicate');
      expect(f.call('c1', 't', '{}', { itemId: 'i2' })).to.equal('echo');
      expect(f.call('c1', 'other', '{}')).to.equal('duplicate'); // item key = the call id, new
      await flush();
      expect(runs).to.deep.equal(['c1']);
      expect(f.calls).to.have.length(1);
      expect(f.outputs).to.have.length(1);
      expect(f.runner.stats.duplicateToolCalls).to.equal(2);
      expect(f.logger.lines.filter((line) => line.level === 'warn')).to.have.length(2);
    });

    it('without an itemId the call id is the item key: a second sighting is an echo', () => {
      const f = new RunnerFixture();
      f.call('c1', 'nope');
      expect(f.call('c1', 'nope')).to.equal('echo');
      expect(f.runner.stats.duplicateToolCalls).to.equal(0);
    });

    it('answers a cut-off call as cancelled and never runs it (row 1), even a known tool', async () => {
      let ran = false;
      const f = new RunnerFixture([tool('get_weather', () => (ran = true))]);
      f.runner.call({ callId: 'c', name: 'get_weather', arguments: '{"ci', complete: false });
      await flush();
      expect(ran).to.equal(false);
      expect(f.results).to.deep.equal([
        {
          type: 'toolResult',
          callId: 'c',
          name: 'get_weather',
          output: err('tool `get_weather` was not run: the call was cut off before it was complete'),
          error: true,
          reason: 'cancelled',
        },
      ]);
      expect(f.runner.stats.cancelledToolCalls).to.equal(1);
    });

    it('answers invalid JSON and non-object arguments with invalid_arguments (rows 3, 4), naming the kind', async () => {
      const f = new RunnerFixture([tool('current_time', () => 'never')]);
      const cases: [string, string][] = [
        ['{"a":', 'not valid JSON'],
        ['["Paris"]', 'expected a JSON object, got an array'],
        ['"x"', 'expected a JSON object, got a string'],
        ['12', 'expected a JSON object, got a number'],
        ['true', 'expected a JSON object, got a boolean'],
        ['null', 'expected a JSON object, got null'],
      ];
      cases.forEach(([args], index) => f.call(`c${index}`, 'current_time', args));
      await flush();
      expect(f.results.map((result) => [result.output, result.reason])).to.deep.equal(
        cases.map(([, detail]) => [err(`invalid arguments for \`current_time\`: ${detail}`), 'invalid_arguments']),
      );
    });

    it('checks the name before the arguments: an unknown tool with bad arguments is unknown_tool', async () => {
      const f = new RunnerFixture();
      f.call('c', 'nope', '{bad');
      await flush();
      expect(f.results[0]?.reason).to.equal('unknown_tool');
    });

    it('reads empty or whitespace-only arguments as {} while toolCall keeps the raw text', async () => {
      const seen: unknown[] = [];
      const f = new RunnerFixture([tool('t', (args) => void seen.push(args))]);
      f.call('c1', 't', '');
      f.call('c2', 't', '  \n ');
      await flush();
      expect(seen).to.deep.equal([{}, {}]);
      expect(f.calls.map((call) => call.arguments)).to.deep.equal(['', '  \n ']);
      expect(f.outputs.map((output) => output.output)).to.deep.equal(['', '']);
    });

    it('names are exact and case-sensitive', async () => {
      const f = new RunnerFixture([tool('current_time', () => 'x')]);
      f.call('c', 'Current_Time');
      await flush();
      expect(f.results[0]?.reason).to.equal('unknown_tool');
    });
  });

  describe('§3.1 running', () => {
    it('runs execute in a microtask after toolCall (never inside the report), as a method, with a fresh parsed object and the call context', async () => {
      const order: string[] = [];
      const received: { args: unknown; call: ToolCall; self: unknown }[] = [];
      const bound = {
        name: 'current_time',
        description: 'd',
        parameters: { type: 'object' },
        execute(args: Record<string, unknown>, call: ToolCall) {
          order.push('execute');
          received.push({ args, call, self: this });
          args.mutated = true;
          return '10:15';
        },
      };
      const f = new RunnerFixture([bound]);
      f.call('c1', 'current_time', '{"timezone":"Europe/Paris"}', { itemId: 'i1', responseId: 'r1' });
      order.push('reported');
      expect(order).to.deep.equal(['reported']);
      await flush();
      expect(order).to.deep.equal(['reported', 'execute']);
      const first = received[0]!;
      expect(first.self).to.equal(bound);
      expect(first.args).to.deep.equal({ timezone: 'Europe/Paris', mutated: true });
      expect(first.call).to.include({
        callId: 'c1',
        name: 'current_time',
        arguments: '{"timezone":"Europe/Paris"}',
        itemId: 'i1',
        responseId: 'r1',
      });
      expect(first.call.signal.aborted).to.equal(false);
      expect(first.call.logger).to.equal(f.logger);
      expect(f.outputs).to.deep.equal([{ callId: 'c1', output: '10:15', at: 0 }]);
    });

    it('runs calls concurrently and sends outputs in the order they become ready', async () => {
      const a = deferred<string>();
      const b = deferred<string>();
      const f = new RunnerFixture([tool('a', () => a.promise), tool('b', () => b.promise)]);
      f.call('ca', 'a');
      f.call('cb', 'b');
      await flush();
      b.resolve('B');
      await f.clock.advance(50);
      a.resolve('A');
      await flush();
      expect(f.outputs.map((output) => output.callId)).to.deep.equal(['cb', 'ca']);
      expect(f.outputs[0]?.at).to.equal(0);
      expect(f.outputs[1]?.at).to.equal(50);
    });

    it('a synchronous throw counts as a rejection', async () => {
      const f = new RunnerFixture([
        tool('current_time', () => {
          throw new Error('clock service unavailable');
        }),
      ]);
      f.call('c', 'current_time');
      await flush();
      expect(f.results[0]).to.deep.include({
        output: err('tool `current_time` failed: clock service unavailable'),
        error: true,
        reason: 'failed',
      });
      expect(f.logger.lines.some((line) => line.level === 'warn' && line.message === 'a tool failed')).to.equal(true);
    });
  });

  describe('§3.2 output encoding', () => {
    const cases: [string, () => unknown, string, boolean][] = [
      ['returns "10:15"', () => '10:15', '10:15', false],
      ['resolves an object', async () => ({ time: '10:15', dst: false }), '{"time":"10:15","dst":false}', false],
      ['returns 42', () => 42, '42', false],
      ['returns null', () => null, 'null', false],
      ['returns undefined', () => undefined, '', false],
      ['returns a function', () => () => 1, '', false],
      ['returns a symbol', () => Symbol('s'), '', false],
      ['resolves 10n', async () => 10n, err('tool `current_time` failed: its result could not be converted to JSON'), true],
      [
        'returns a cycle',
        () => {
          const cycle: Record<string, unknown> = {};
          cycle.self = cycle;
          return cycle;
        },
        err('tool `current_time` failed: its result could not be converted to JSON'),
        true,
      ],
      [
        'throws an Error',
        () => {
          throw new Error('clock service unavailable');
        },
        err('tool `current_time` failed: clock service unavailable'),
        true,
      ],
      ['rejects "nope"', () => Promise.reject('nope'), err('tool `current_time` failed: nope'), true],
      [
        'throws new Error("")',
        () => {
          throw new Error('');
        },
        err('tool `current_time` failed'),
        true,
      ],
      [
        'throws Object.create(null)',
        () => {
          throw Object.create(null);
        },
        err('tool `current_time` failed: unprintable thrown value'),
        true,
      ],
      [
        'throws 7',
        () => {
          throw 7;
        },
        err('tool `current_time` failed: 7'),
        true,
      ],
      [
        'throws { message: 5 }',
        () => {
          throw { message: 5 };
        },
        err('tool `current_time` failed: [object Object]'),
        true,
      ],
    ];
    for (const [label, execute, output, error] of cases) {
      it(`${label} → ${output === '' ? '(empty)' : output}`, async () => {
        const f = new RunnerFixture([tool('current_time', execute)]);
        f.call('c', 'current_time');
        await flush();
        expect(f.results).to.have.length(1);
        expect(f.results[0]).to.deep.include({ output, error });
        if (error) expect(f.results[0]?.reason).to.equal('failed');
        else expect(f.results[0]).to.not.have.property('reason');
      });
    }

    it('keeps the first 1000 code points of a long detail, then …', async () => {
      const long = '😀'.repeat(1001);
      const f = new RunnerFixture([
        tool('t', () => {
          throw new Error(long);
        }),
      ]);
      f.call('c', 't');
      await flush();
      expect(f.results[0]?.output).to.equal(err(`tool \`t\` failed: ${'😀'.repeat(1000)}…`));
    });
  });

  describe('§3.3 interruption', () => {
    it('cancels an unanswered blocking call with onInterrupt cancel: signal aborted, answered at once', async () => {
      let signal: AbortSignal | undefined;
      const never = deferred<string>();
      const f = new RunnerFixture([
        tool('search_flights', (_a, call) => ((signal = call.signal), never.promise), { onInterrupt: 'cancel' }),
      ]);
      f.call('c', 'search_flights');
      await flush();
      f.runner.interrupt('c');
      expect(signal?.aborted).to.equal(true);
      expect((signal?.reason as ParleyError).code).to.equal('ERR_TOOL_CANCELLED');
      expect((signal?.reason as ParleyError).message).to.equal('tool `search_flights` was cancelled because the user interrupted');
      await flush();
      expect(f.results).to.deep.equal([
        {
          type: 'toolResult',
          callId: 'c',
          name: 'search_flights',
          output: err('tool `search_flights` was cancelled because the user interrupted'),
          error: true,
          reason: 'cancelled',
        },
      ]);
      never.resolve('late');
      await flush();
      expect(f.outputs).to.have.length(1);
      expect(f.runner.stats).to.include({ cancelledToolCalls: 1, lateToolResults: 1 });
    });

    it('leaves keep calls, background calls, declared keep calls and answered calls alone', async () => {
      const weather = deferred<string>();
      const f = new RunnerFixture(
        [tool('get_weather', () => weather.promise), tool('book', () => deferred().promise, { behavior: 'background' })],
        [{ type: 'function', name: 'lookup_order' }],
      );
      f.call('w', 'get_weather');
      f.call('b', 'book');
      f.call('l', 'lookup_order');
      await flush();
      for (const id of ['w', 'b', 'l', 'unknown']) f.runner.interrupt(id);
      await flush();
      expect(f.results).to.deep.equal([]);
      weather.resolve('sunny');
      await flush();
      expect(f.results.map((result) => [result.callId, result.output])).to.deep.equal([['w', 'sunny']]);
    });

    it('cancels a declared tool with onInterrupt cancel', async () => {
      const f = new RunnerFixture([], [{ type: 'function', name: 'lookup_order', onInterrupt: 'cancel' }]);
      f.call('l', 'lookup_order');
      f.runner.interrupt('l');
      await flush();
      expect(f.results[0]?.reason).to.equal('cancelled');
      expect(() => f.runner.sendToolOutput('l', 'x')).to.throw(
        'tool call `l` was already answered (cancelled); a call gets exactly one output',
      );
    });

    it('does not run execute when the call was cancelled before its microtask', async () => {
      let ran = false;
      const f = new RunnerFixture([tool('t', () => (ran = true), { onInterrupt: 'cancel' })]);
      f.call('c', 't');
      f.runner.interrupt('c');
      await flush();
      expect(ran).to.equal(false);
      expect(f.outputs).to.have.length(1);
    });
  });

  describe('§3.4 timeout, signal, late results', () => {
    it('answers with timeout when the timer fires first, aborts the signal, and counts the late result', async () => {
      let signal: AbortSignal | undefined;
      const slow = deferred<string>();
      const f = new RunnerFixture([tool('slow', (_a, call) => ((signal = call.signal), slow.promise), { timeoutMs: 100 })]);
      f.call('c', 'slow');
      await f.clock.advance(99);
      expect(f.outputs).to.deep.equal([]);
      await f.clock.advance(1);
      expect(f.outputs).to.deep.equal([{ callId: 'c', output: err('tool `slow` timed out after 100 ms'), at: 100 }]);
      expect((signal?.reason as ParleyError).code).to.equal('ERR_TOOL_TIMEOUT');
      expect((signal?.reason as ParleyError).message).to.equal('tool `slow` timed out after 100 ms');
      slow.resolve('too late');
      await flush();
      expect(f.outputs).to.have.length(1);
      expect(f.runner.stats).to.include({ toolTimeouts: 1, toolErrors: 1, lateToolResults: 1, pendingToolCalls: 0 });
      expect(f.logger.lines.some((line) => line.level === 'debug' && line.message.includes('after its call was answered'))).to.equal(true);
    });

    it('uses realtime.tools.timeoutMs for blocking and declared calls without their own', async () => {
      const f = new RunnerFixture([tool('t', () => deferred().promise)], [{ type: 'function', name: 'd' }], { timeoutMs: 30 });
      f.call('c1', 't');
      f.call('c2', 'd');
      await f.clock.advance(30);
      expect(f.outputs.map((output) => [output.callId, output.at])).to.deep.equal([
        ['c1', 30],
        ['c2', 30],
      ]);
      expect(f.results[1]?.output).to.equal(err('tool `d` timed out after 30 ms'));
    });

    it('a result due at the very millisecond of the timeout is late (the timer was set first)', async () => {
      const f = new RunnerFixture([
        tool('t', () => new Promise((resolve) => f.clock.setTimer(50, () => resolve('ok'))), { timeoutMs: 50 }),
      ]);
      f.call('c', 't');
      await f.clock.advance(60);
      expect(f.results[0]?.reason).to.equal('timeout');
      expect(f.runner.stats.lateToolResults).to.equal(1);
    });

    it('does not fire the timer of an answered call', async () => {
      const f = new RunnerFixture([tool('t', () => 'fast', { timeoutMs: 10 })]);
      f.call('c', 't');
      await f.clock.advance(100);
      expect(f.results).to.have.length(1);
      expect(f.clock.armed).to.equal(0);
    });
  });

  describe('§4 sendToolOutput', () => {
    it('answers a declared call with the encoded output (the spec example)', async () => {
      const f = new RunnerFixture([], [{ type: 'function', name: 'lookup_order', timeoutMs: 60000 }]);
      f.call('call_o', 'lookup_order', '{"order_id":"A-17"}');
      await f.runner.sendToolOutput('call_o', { status: 'shipped' });
      await flush();
      expect(f.outputs).to.deep.equal([{ callId: 'call_o', output: '{"status":"shipped"}', at: 0 }]);
      expect(f.results[0]).to.deep.equal({
        type: 'toolResult',
        callId: 'call_o',
        name: 'lookup_order',
        output: '{"status":"shipped"}',
        error: false,
      });
    });

    it('with error: true sends {"error": m} without a tool-name prefix, reason failed', async () => {
      const f = new RunnerFixture([], [{ type: 'function', name: 'lookup_order' }]);
      f.call('c', 'lookup_order');
      await f.runner.sendToolOutput('c', 'no such order', { error: true });
      await flush();
      expect(f.results[0]).to.deep.include({ output: err('no such order'), error: true, reason: 'failed' });
    });

    it('runs its checks in order with typed errors, and queues nothing when one fails', async () => {
      const f = new RunnerFixture(
        [],
        [
          { type: 'function', name: 'lookup_order', timeoutMs: 10 },
          { type: 'function', name: 'other' },
        ],
      );
      const failure = (run: () => unknown): ParleyError => {
        try {
          run();
        } catch (error) {
          return error as ParleyError;
        }
        throw new Error('expected a throw');
      };
      expect(failure(() => f.runner.sendToolOutput('', 'x'))).to.include({
        code: 'ERR_INVALID_ARGUMENT',
        message: "sendToolOutput: callId must be a non-empty string (the toolCall event's callId)",
      });
      expect(failure(() => f.runner.sendToolOutput('call_z', 'x'))).to.include({
        code: 'ERR_UNKNOWN_TOOL_CALL',
        message: 'no tool call `call_z` in this conversation: pass the callId of a toolCall event',
      });
      f.call('call_o', 'lookup_order');
      f.call('c2', 'other');
      expect(failure(() => f.runner.sendToolOutput('call_o', 5, { error: true }))).to.include({
        code: 'ERR_INVALID_ARGUMENT',
        message: 'sendToolOutput: with error: true the output must be the error message (a string)',
      });
      expect(failure(() => f.runner.sendToolOutput('call_o', 10n))).to.include({
        code: 'ERR_INVALID_ARGUMENT',
        message: 'sendToolOutput: the output cannot be converted to JSON',
      });
      await flush();
      expect(f.outputs).to.deep.equal([]);
      await f.clock.advance(10);
      expect(failure(() => f.runner.sendToolOutput('call_o', 'found'))).to.include({
        code: 'ERR_TOOL_CALL_ANSWERED',
        message: 'tool call `call_o` was already answered (timeout); a call gets exactly one output',
      });
      await f.runner.sendToolOutput('c2', 'ok');
      expect(failure(() => f.runner.sendToolOutput('c2', 'again'))).to.include({
        message: 'tool call `c2` was already answered (output); a call gets exactly one output',
      });
      expect(f.runner.stats.lateToolResults).to.equal(2);
    });

    it('answers a bound call from the application: its signal aborts and its later result is late', async () => {
      let signal: AbortSignal | undefined;
      const work = deferred<string>();
      const f = new RunnerFixture([tool('t', (_a, call) => ((signal = call.signal), work.promise))]);
      f.call('c', 't');
      await flush();
      await f.runner.sendToolOutput('c', 'cached');
      expect((signal?.reason as ParleyError).code).to.equal('ERR_TOOL_CALL_ANSWERED');
      expect((signal?.reason as ParleyError).message).to.equal('tool call `c` was answered by the application');
      work.resolve('fresh');
      await flush();
      expect(f.outputs.map((output) => output.output)).to.deep.equal(['cached']);
      expect(f.runner.stats.lateToolResults).to.equal(1);
    });

    it('a background call is already answered (background)', () => {
      const f = new RunnerFixture([tool('book', () => deferred().promise, { behavior: 'background' })]);
      f.call('c', 'book');
      expect(() => f.runner.sendToolOutput('c', 'x')).to.throw(
        'tool call `c` was already answered (background); a call gets exactly one output',
      );
    });
  });

  describe('§5 background tools', () => {
    it('answers at once with the started output (no toolResult), then hands the result to backgroundToolResult (the spec example)', async () => {
      const booking = deferred<string>();
      const f = new RunnerFixture([tool('book_table', () => booking.promise, { behavior: 'background' })]);
      await f.clock.advance(20);
      f.call('call_bk', 'book_table', '{}', { responseId: 'resp_1' });
      await flush();
      expect(f.seen.slice(1)).to.deep.equal([
        {
          at: 20,
          hook: 'toolOutput',
          answer: { callId: 'call_bk', name: 'book_table', output: DEFAULT_BACKGROUND_STARTED_OUTPUT, error: false, started: true },
        },
      ]);
      expect(f.runner.stats.pendingToolCalls).to.equal(1);
      await f.clock.advance(3000);
      booking.resolve('Booked: Chez Marie, 20:00');
      await flush();
      expect(f.seen.slice(2)).to.deep.equal([
        {
          at: 3020,
          hook: 'backgroundToolResult',
          result: { callId: 'call_bk', name: 'book_table', output: 'Booked: Chez Marie, 20:00', error: false },
        },
        {
          at: 3020,
          event: {
            type: 'toolResult',
            callId: 'call_bk',
            name: 'book_table',
            output: 'Booked: Chez Marie, 20:00',
            error: false,
            background: true,
          },
        },
      ]);
      expect(f.runner.stats).to.include({ pendingToolCalls: 0, toolCalls: 1 });
    });

    it('times out after realtime.tools.backgroundTimeoutMs: the result is the timeout error; a later result is late', async () => {
      const work = deferred<string>();
      const f = new RunnerFixture([tool('book', () => work.promise, { behavior: 'background' })], [], {
        backgroundTimeoutMs: 500,
        timeoutMs: 5,
      });
      f.call('c', 'book');
      await f.clock.advance(500);
      expect(f.results).to.deep.equal([
        {
          type: 'toolResult',
          callId: 'c',
          name: 'book',
          output: err('tool `book` timed out after 500 ms'),
          error: true,
          reason: 'timeout',
          background: true,
        },
      ]);
      work.resolve('done');
      await flush();
      expect(f.runner.stats).to.include({ lateToolResults: 1, toolTimeouts: 1 });
    });

    it('uses the configured started output', async () => {
      const f = new RunnerFixture([tool('book', () => 'x', { behavior: 'background' })], [], { backgroundStartedOutput: 'on it' });
      f.call('c', 'book');
      await flush();
      expect(f.outputs[0]?.output).to.equal('on it');
      expect(f.results[0]).to.deep.include({ output: 'x', background: true });
    });
  });

  describe('§7 lifecycle', () => {
    it('end: every open call is aborted with ERR_CONVERSATION_ENDED, nothing more is sent or emitted, late results counted', async () => {
      const signals: AbortSignal[] = [];
      const work = deferred<string>();
      const f = new RunnerFixture([tool('t', (_a, call) => (signals.push(call.signal), work.promise))], [{ type: 'function', name: 'd' }]);
      f.call('c1', 't');
      f.call('c2', 'd');
      await flush();
      f.runner.dispose();
      expect((signals[0]?.reason as ParleyError).code).to.equal('ERR_CONVERSATION_ENDED');
      expect((signals[0]?.reason as ParleyError).message).to.equal('the conversation ended');
      work.resolve('late');
      await f.clock.advance(60000);
      expect(f.outputs).to.deep.equal([]);
      expect(f.runner.stats).to.include({ lateToolResults: 1, pendingToolCalls: 0 });
      expect(f.clock.armed).to.equal(0);
    });

    it('reconnection: calls without toolResult are lost (admission order), queued answers are dropped, ids are forgotten', async () => {
      const signals = new Map<string, AbortSignal>();
      const work = deferred<string>();
      const f = new RunnerFixture([
        tool('t', (_a, call) => (signals.set(call.callId, call.signal), work.promise)),
        tool('quick', () => 'q'),
      ]);
      f.autoDispatch = false;
      f.call('done', 'quick');
      await flush();
      f.drain();
      f.call('b', 't');
      f.call('a', 'quick'); // answered, but the answer still waits in the loop
      await flush();
      expect(f.runner.reconnected()).to.deep.equal(['b', 'a']);
      expect((signals.get('b')?.reason as ParleyError).code).to.equal('ERR_CONNECTION_LOST');
      expect((signals.get('b')?.reason as ParleyError).message).to.equal(
        'the connection was lost; the new server session does not know this call',
      );
      f.drain();
      work.resolve('late');
      await flush();
      f.drain();
      expect(f.results.map((result) => result.callId)).to.deep.equal(['done']);
      expect(f.runner.stats).to.include({ lateToolResults: 1, pendingToolCalls: 0 });
      expect(() => f.runner.sendToolOutput('b', 'x')).to.throw('no tool call `b` in this conversation');
      expect(f.call('b', 'quick')).to.equal('new'); // a new server session may reuse ids
    });
  });
});
