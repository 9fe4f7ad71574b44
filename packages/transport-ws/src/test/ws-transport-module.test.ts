import {
  ConversationManager,
  Logger,
  ProtocolStrategy,
  TransportFactory,
  createParleyContainer,
  type ConversationEvent,
  type RealtimeEvent,
  type SessionSettings,
} from '@parley/core';
import { expect } from 'chai';
import { ContainerModule } from 'inversify';
import { WsTransportFactory } from '../ws-transport-factory.js';
import { wsTransportModule } from '../ws-transport-module.js';
import { WsTransportOptions } from '../ws-transport-options.js';
import { Fixtures, RecordingLogger, waitUntil } from './helpers.js';

/** A tiny protocol for wiring tests: `{"type":"done"}` frames become `responseDone` events. */
const echoStrategy: ProtocolStrategy = {
  id: 'echo',
  resolveSession: (settings: SessionSettings) => ({ ...settings, voice: settings.voice ?? 'none' }),
  connectionParameters: () => ({ query: { intent: 'echo' }, headers: { 'x-protocol': 'echo' } }),
  sessionUpdate: () => ({ type: 'session.update' }),
  decode: (frame: string): RealtimeEvent | 'unknown_type' => (frame === '{"type":"done"}' ? { type: 'responseDone' } : 'unknown_type'),
  encodeAudio: (frame) => ({ type: 'audio', audio: frame.data }),
  encodeUserText: (text) => ({ type: 'text', text }),
  createPolicy: (handle) => ({
    onServerEvent: (event) => handle.deliver(event),
    requestResponse: () => undefined,
    assistantOutput: () => undefined,
    finishTurn: () => undefined,
    reportPlayback: () => undefined,
    dispose: () => undefined,
  }),
};

describe('wsTransportModule', () => {
  const fixtures = new Fixtures();
  afterEach(() => fixtures.closeAll());

  const logging = new ContainerModule(({ bind }) => {
    bind(Logger).toConstantValue(new RecordingLogger());
  });

  it('binds WsTransportFactory as the singleton TransportFactory', () => {
    const container = createParleyContainer({ before: [logging], modules: [wsTransportModule] });
    const factory = container.get(TransportFactory);
    expect(factory).to.be.instanceOf(WsTransportFactory);
    expect(container.get(TransportFactory)).to.equal(factory);
  });

  it('honours a WsTransportOptions binding', async () => {
    const server = await fixtures.wsServer({ perMessageDeflate: true });
    const options = new ContainerModule(({ bind }) => {
      bind(WsTransportOptions).toConstantValue({ perMessageDeflate: true });
    });
    const container = createParleyContainer({
      config: { realtime: { url: server.baseUrl, protocol: 'echo', model: '' } },
      before: [logging],
      modules: [wsTransportModule, options, new ContainerModule(({ bind }) => void bind(ProtocolStrategy).toConstantValue(echoStrategy))],
    });
    const manager = container.get(ConversationManager);
    await manager.start();
    const peer = await server.nextPeer();
    expect(peer.request.headers['sec-websocket-extensions']).to.include('permessage-deflate');
    await manager.close();
  });

  it('carries a conversation: session.update first, events in, server close frame → closed transport_closed', async () => {
    const server = await fixtures.wsServer();
    const container = createParleyContainer({
      config: { realtime: { url: `${server.baseUrl}/v1`, protocol: 'echo', model: 'm1' } },
      before: [logging],
      modules: [wsTransportModule, new ContainerModule(({ bind }) => void bind(ProtocolStrategy).toConstantValue(echoStrategy))],
    });
    const manager = container.get(ConversationManager);
    const events: ConversationEvent[] = [];
    manager.on((event) => events.push(event));
    await manager.start({ sessionId: 'conv-7' });
    const peer = await server.nextPeer();
    expect(peer.request.url).to.equal('/v1/realtime?intent=echo&model=m1');
    expect(peer.request.headers['x-protocol']).to.equal('echo');
    expect(peer.request.headers['x-session-id']).to.equal('conv-7');
    await manager.sendText('hello');
    await waitUntil(() => peer.received.length === 2, 'two client frames');
    expect(peer.received).to.deep.equal(['{"type":"session.update"}', '{"type":"text","text":"hello"}']);
    peer.socket.send('{"type":"done"}');
    peer.socket.close(4000, 'server says bye');
    await waitUntil(() => events.some((event) => event.type === 'closed'), 'the closed event');
    expect(events).to.deep.equal([
      { type: 'started', protocol: 'echo', sessionId: 'conv-7' },
      { type: 'responseDone' },
      { type: 'closed', reason: 'transport_closed', code: 4000, closeReason: 'server says bye' },
    ]);
  });
});
