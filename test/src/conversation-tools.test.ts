import { expect } from 'chai';
import { ContainerModule, injectable } from 'inversify';
import { ParleyError, ProtocolStrategy, RealtimeTool, type PolicyHandle, type SessionPolicy, type ToolCall } from '@parley/core';
import { parserV1Module } from '@parley/parser-v1';
import { parserV2Module } from '@parley/parser-v2';
import { EchoProtocol } from './support/echo-protocol.js';
import { createHarness, settle, type Harness } from './support/harness.js';

/** A harness with these tools bound in the container (binding order). */
function withTools(tools: RealtimeTool[], config: Parameters<typeof createHarness>[0] = {}): Harness {
  const module = new ContainerModule(({ bind }) => {
    for (const tool of tools) bind(RealtimeTool).toConstantValue(tool);
  });
  return createHarness({ ...config, modules: [module, ...(config.modules ?? [])] });
}

function tool(name: string, execute: RealtimeTool['execute'], extra: Partial<RealtimeTool> = {}): RealtimeTool {
  return { name, description: '', parameters: { type: 'object', properties: {} }, execute, ...extra };
}

const call = (callId: string, name: string, args = '{}') => ({ type: 'call', call_id: callId, name, arguments: args });

async function failure(run: () => Promise<unknown>): Promise<ParleyError> {
  try {
    await run();
  } catch (error) {
    return error as ParleyError;
  }
  throw new Error('expected a rejection');
}

describe('tools through the conversation manager (spec 09 §1, §3, §4, §6, §7, §10, §11)', () => {
  it('runs a bound tool: toolCall, the answer through the policy hook, then toolResult; stats count it', async () => {
    const h = withTools([tool('current_time', ({ timezone }) => `10:15 ${String(timezone)}`)]);
    await h.manager.start();
    h.server().serverJson(call('call_1', 'current_time', '{"timezone":"Europe/Paris"}'));
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([{ type: 'tool.output', call_id: 'call_1', output: '10:15 Europe/Paris' }]);
    expect(h.events.filter((event) => event.type.startsWith('tool'))).to.deep.equal([
      { type: 'toolCall', callId: 'call_1', name: 'current_time', arguments: '{"timezone":"Europe/Paris"}' },
      { type: 'toolResult', callId: 'call_1', name: 'current_time', output: '10:15 Europe/Paris', error: false },
    ]);
    expect(h.manager.stats()).to.include({ toolCalls: 1, toolErrors: 0, pendingToolCalls: 0, lateToolResults: 0 });
    expect(h.manager.stats().queued.toolOut).to.equal(0);
  });

  it('a protocol that does not support tools refuses them at start (V1): typed error, fatal error event, nothing sent', async () => {
    const h = withTools([tool('current_time', () => '10:15')], { config: { realtime: { protocol: 'v1' } }, modules: [parserV1Module] });
    const error = await failure(() => h.manager.start({ apiKey: 'k', tools: [{ type: 'function', name: 'lookup_order' }] }));
    expect(error).to.be.instanceOf(ParleyError);
    expect(error.code).to.equal('ERR_INVALID_SESSION');
    expect(error.message).to.equal(
      'protocol `v1` does not support tools; remove the tools (current_time, lookup_order) or use a protocol that does',
    );
    expect(h.transport.connections).to.have.length(0);
    expect(h.events).to.deep.equal([{ type: 'error', message: error.message, fatal: true, code: 'ERR_INVALID_SESSION' }]);
  });

  it('a bad bound tool fails the start before the strategy validates the session', async () => {
    const h = withTools([tool('bad name', () => 1)], { config: { realtime: { protocol: 'v2' } }, modules: [parserV2Module] });
    const error = await failure(() => h.manager.start({ apiKey: 'k', voice: 'not-a-voice' }));
    expect(error.message).to.equal(
      'RealtimeTool `bad name` has an invalid name; a tool name is 1 to 64 letters, digits, underscores or hyphens',
    );
    expect(h.of('started')).to.have.length(0);
  });

  it('declared tools (start options) are answered with sendToolOutput', async () => {
    const seen: unknown[] = [];
    const h = createHarness();
    await h.manager.start({
      tools: [{ type: 'function', name: 'lookup_order', timeoutMs: 60000, onInterrupt: 'cancel', description: 'd' }],
    });
    h.manager.on((event) => seen.push(event));
    h.server().serverJson(call('call_o', 'lookup_order', '{"order_id":"A-17"}'));
    await settle();
    await h.manager.sendToolOutput('call_o', { status: 'shipped' });
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([{ type: 'tool.output', call_id: 'call_o', output: '{"status":"shipped"}' }]);
    expect(seen.at(-1)).to.deep.equal({
      type: 'toolResult',
      callId: 'call_o',
      name: 'lookup_order',
      output: '{"status":"shipped"}',
      error: false,
    });
  });

  it('sendToolOutput: ERR_NOT_RUNNING before start and after the end; ERR_UNSUPPORTED on a protocol without tools', async () => {
    const h = createHarness();
    expect((await failure(() => h.manager.sendToolOutput('c', 'x'))).message).to.equal('conversation is not running');
    await h.manager.start();
    await h.manager.close();
    expect((await failure(() => h.manager.sendToolOutput('c', 'x'))).code).to.equal('ERR_NOT_RUNNING');
    const v1 = createHarness({ config: { realtime: { protocol: 'v1' } }, modules: [parserV1Module] });
    await v1.manager.start({ apiKey: 'k' });
    const unsupported = await failure(() => v1.manager.sendToolOutput('c', 'x'));
    expect(unsupported.code).to.equal('ERR_UNSUPPORTED');
    expect(unsupported.message).to.equal('sendToolOutput is not supported by protocol v1');
  });

  it('a timeout on the virtual clock answers the call; the application is then told it was answered', async () => {
    const h = createHarness({ config: { realtime: { tools: { timeoutMs: 500 } } } });
    await h.manager.start({ tools: [{ type: 'function', name: 'lookup_order' }] });
    h.server().serverJson(call('call_o', 'lookup_order'));
    h.clock.advanceTo(499);
    await settle();
    expect(h.wire()).to.have.length(1);
    h.clock.advanceTo(500);
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'tool.output', call_id: 'call_o', output: '{"error":"tool `lookup_order` timed out after 500 ms"}' },
    ]);
    const answered = await failure(() => h.manager.sendToolOutput('call_o', 'found'));
    expect(answered.code).to.equal('ERR_TOOL_CALL_ANSWERED');
    expect(answered.message).to.equal('tool call `call_o` was already answered (timeout); a call gets exactly one output');
    expect(h.manager.stats()).to.include({ toolTimeouts: 1, toolErrors: 1, lateToolResults: 1 });
  });

  it('answers wait in the toolOut lane in arrival order with every other input, behind a stuck socket', async () => {
    const h = createHarness({ config: { realtime: { queues: { toolOut: 1 } } } });
    await h.manager.start({
      tools: [
        { type: 'function', name: 'a' },
        { type: 'function', name: 'b' },
      ],
    });
    h.server().serverJson(call('ca', 'a'));
    h.server().serverJson(call('cb', 'b'));
    h.server().stall();
    await h.manager.sendText('first');
    await h.manager.sendToolOutput('ca', 'A');
    let secondQueued = false;
    const second = h.manager.sendToolOutput('cb', 'B').then(() => (secondQueued = true));
    await settle();
    expect(secondQueued).to.equal(false); // the lane holds one: the writer awaits space
    expect(h.manager.stats().queued.toolOut).to.equal(1);
    h.server().unstall();
    await second;
    await settle();
    expect(h.wire().slice(1)).to.deep.equal([
      { type: 'text', text: 'first' },
      { type: 'tool.output', call_id: 'ca', output: 'A' },
      { type: 'tool.output', call_id: 'cb', output: 'B' },
    ]);
  });

  it('close() sends answers already queued; the end aborts open calls (ERR_CONVERSATION_ENDED) and their late results are still counted', async () => {
    let signal: AbortSignal | undefined;
    let finish: (value: string) => void = () => undefined;
    const h = withTools([
      tool('slow', (_args, context: ToolCall) => {
        signal = context.signal;
        return new Promise<string>((resolve) => (finish = resolve));
      }),
    ]);
    await h.manager.start({ tools: [{ type: 'function', name: 'manual' }] });
    h.server().serverJson(call('c_slow', 'slow'));
    h.server().serverJson(call('c_manual', 'manual'));
    await settle();
    await h.manager.sendToolOutput('c_manual', 'queued before close');
    await h.manager.close();
    expect(h.wire().slice(1)).to.deep.equal([{ type: 'tool.output', call_id: 'c_manual', output: 'queued before close' }]);
    expect((signal?.reason as ParleyError).code).to.equal('ERR_CONVERSATION_ENDED');
    finish('late');
    await settle();
    expect(h.of('toolResult').map((event) => event.callId)).to.deep.equal(['c_manual']);
    expect(h.manager.stats()).to.include({ lateToolResults: 1, pendingToolCalls: 0 });
  });

  it('reconnection: calls without a toolResult are listed in reconnected.lostToolCalls and their ids forgotten', async () => {
    let signal: AbortSignal | undefined;
    const h = withTools([tool('slow', (_args, context: ToolCall) => ((signal = context.signal), new Promise(() => undefined)))], {
      config: { realtime: { reconnect: { enabled: true, maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 100 } } },
    });
    await h.manager.start({ tools: [{ type: 'function', name: 'manual' }] });
    h.server().serverJson(call('c1', 'slow'));
    h.server().serverJson(call('c2', 'manual'));
    await settle();
    h.server().serverFail(new ParleyError('ERR_CONNECTION_LOST', 'lost'));
    expect((signal?.reason as ParleyError).code).to.equal('ERR_CONNECTION_LOST');
    h.clock.advanceTo(100);
    await settle();
    expect(h.of('reconnected')).to.deep.equal([{ type: 'reconnected', attempt: 1, lostToolCalls: ['c1', 'c2'] }]);
    expect((await failure(() => h.manager.sendToolOutput('c2', 'x'))).code).to.equal('ERR_UNKNOWN_TOOL_CALL');
    h.server().serverJson(call('c2', 'manual'));
    await settle();
    expect(h.of('toolCall').map((event) => event.callId)).to.deep.equal(['c1', 'c2', 'c2']);
    expect(h.manager.stats().pendingToolCalls).to.equal(1);
  });

  it('a policy without the toolOutput hook is a policy failure (ERR_POLICY_FAILED), not a hung call', async () => {
    @injectable()
    class HooklessEcho extends EchoProtocol {
      override readonly id = 'hookless';
      override createPolicy(handle: PolicyHandle): SessionPolicy {
        const policy = super.createPolicy(handle);
        return {
          onServerEvent: (event) => policy.onServerEvent(event),
          requestResponse: () => policy.requestResponse(),
          assistantOutput: (text) => policy.assistantOutput(text),
          finishTurn: () => policy.finishTurn(),
          reportPlayback: (itemId, playedMs) => policy.reportPlayback(itemId, playedMs),
          dispose: () => policy.dispose(),
        };
      }
    }
    const module = new ContainerModule(({ bind }) => void bind(ProtocolStrategy).to(HooklessEcho));
    const h = createHarness({ config: { realtime: { protocol: 'hookless' } }, modules: [module] });
    await h.manager.start();
    h.server().serverJson(call('c', 'nope'));
    await settle();
    expect(h.of('error')).to.deep.equal([
      {
        type: 'error',
        message: 'internal error in the hookless session policy: the session policy has no toolOutput hook',
        fatal: true,
        code: 'ERR_POLICY_FAILED',
      },
    ]);
    expect(h.of('closed')).to.deep.equal([{ type: 'closed', reason: 'error' }]);
  });
});
