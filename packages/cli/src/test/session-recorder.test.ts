import { expect } from 'chai';
import type { JsonObject, Logger, RealtimeTool, ToolCall } from '@parley/core';
import { recordingTool, SessionRecorder } from '../session-recorder.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function call(controller = new AbortController()): ToolCall {
  return { callId: 'call_1', name: 'current_time', arguments: '{}', signal: controller.signal, logger: silent };
}

/** A tool whose executions settle when the test says so. */
function controlledTool(
  extra: Partial<RealtimeTool> = {},
): RealtimeTool & { settle: ((outcome: { value?: unknown; error?: Error }) => void)[] } {
  const settle: ((outcome: { value?: unknown; error?: Error }) => void)[] = [];
  return {
    name: 'current_time',
    description: 'The current time.',
    parameters: { type: 'object', properties: {} },
    ...extra,
    settle,
    execute: () =>
      new Promise((resolve, reject) => {
        settle.push(({ value, error }) => (error === undefined ? resolve(value) : reject(error)));
      }),
  };
}

describe('SessionRecorder: recorded tools (spec 09 §12)', () => {
  let now: number;
  let recorder: SessionRecorder;
  beforeEach(() => {
    now = 1000;
    recorder = new SessionRecorder(() => now, 'v2', {}, {});
  });

  it('a session without tools records no "tools"', () => {
    expect(recorder.scenario('s')).not.to.have.property('tools');
  });

  it('each execution becomes one reply list: output or error after the ms it took; the wrapper passes results through', async () => {
    const inner = controlledTool({ timeoutMs: 5000, behavior: 'blocking', onInterrupt: 'cancel' });
    const tool = recordingTool(inner, recorder);
    expect([tool.name, tool.description, tool.parameters, tool.timeoutMs, tool.behavior, tool.onInterrupt]).to.deep.equal([
      'current_time',
      'The current time.',
      { type: 'object', properties: {} },
      5000,
      'blocking',
      'cancel',
    ]);
    recorder.sent('{"type":"session.update"}'); // time 0
    now += 10;
    recorder.received('{"type":"response.output_item.done"}'); // the frame that admits the calls, at 10
    now += 1.4; // the executions are invoked a moment later (a replay invokes them at 10)
    const first = tool.execute({} as JsonObject, call()) as Promise<unknown>;
    now += 3; // spawning takes time: the second is invoked later still
    const second = (tool.execute({} as JsonObject, call()) as Promise<unknown>).catch((error: Error) => error.message);
    now = 1130.4;
    inner.settle[1]?.({ error: new Error('the command exited with code 3: clock down') });
    await new Promise(setImmediate);
    now = 1160.2;
    inner.settle[0]?.({ value: '10:15' });
    expect(await first).to.equal('10:15');
    expect(await second).to.equal('the command exited with code 3: clock down');
    expect(recorder.scenario('s').tools).to.deep.equal([
      {
        name: 'current_time',
        description: 'The current time.',
        parameters: { type: 'object', properties: {} },
        behavior: 'blocking',
        onInterrupt: 'cancel',
        timeoutMs: 5000,
        replies: [[{ afterMs: 150, output: '10:15' }], [{ afterMs: 120, error: 'the command exited with code 3: clock down' }]],
      },
    ]);
  });

  it('settlements keep their live order on the recording timeline: one in the same millisecond as an earlier one is 1 ms later', async () => {
    const inner = controlledTool();
    const tool = recordingTool(inner, recorder);
    recorder.sent('{"type":"session.update"}');
    now += 20;
    recorder.received('{"type":"response.output_item.done"}');
    const first = tool.execute({} as JsonObject, call()) as Promise<unknown>;
    const second = tool.execute({} as JsonObject, call()) as Promise<unknown>;
    now += 100.1;
    inner.settle[1]?.({ value: 'b' });
    await second;
    now += 0.2;
    inner.settle[0]?.({ value: 'a' });
    await first;
    // A replay invokes both at 20: b at 120, then a at 121 (as live), not a first by invocation order.
    expect(recorder.scenario('s').tools?.[0]?.replies).to.deep.equal([[{ afterMs: 101, output: 'a' }], [{ afterMs: 100, output: 'b' }]]);
  });

  it('an execution whose call was answered otherwise first (its signal aborted) is "never", even if it settles later; one still running is "never" too', async () => {
    const inner = controlledTool();
    const tool = recordingTool(inner, recorder);
    const controller = new AbortController();
    const timedOut = tool.execute({} as JsonObject, call(controller)) as Promise<unknown>;
    void tool.execute({} as JsonObject, call());
    now += 5000;
    controller.abort();
    inner.settle[0]?.({ value: 'late' });
    await timedOut;
    expect(recorder.scenario('s').tools?.[0]?.replies).to.deep.equal([[{ afterMs: 0, never: true }], [{ afterMs: 0, never: true }]]);
    expect(recorder.scenario('s').tools?.[0]).not.to.have.property('timeoutMs');
  });
});
