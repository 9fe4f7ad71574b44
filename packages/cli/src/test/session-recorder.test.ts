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
    const tool = recordingTool(inner, recorder, () => now);
    expect([tool.name, tool.description, tool.parameters, tool.timeoutMs, tool.behavior, tool.onInterrupt]).to.deep.equal([
      'current_time',
      'The current time.',
      { type: 'object', properties: {} },
      5000,
      'blocking',
      'cancel',
    ]);
    const first = tool.execute({} as JsonObject, call()) as Promise<unknown>;
    const second = (tool.execute({} as JsonObject, call()) as Promise<unknown>).catch((error: Error) => error.message);
    now += 120.4;
    inner.settle[1]?.({ error: new Error('the command exited with code 3: clock down') });
    await new Promise(setImmediate);
    now += 30;
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

  it('an execution whose call was answered otherwise first (its signal aborted) is "never", even if it settles later; one still running is "never" too', async () => {
    const inner = controlledTool();
    const tool = recordingTool(inner, recorder, () => now);
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
