import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConversationManager, createParleyContainer, type ConversationEvent } from '@parley/core';
import { parserV1Module } from '@parley/parser-v1';
import { parserV2Module } from '@parley/parser-v2';
import { wsTransportModule } from '@parley/transport-ws';
import { waitUntil } from '@parley/testkit';

interface Peer {
  url: string;
  request: () => IncomingMessage;
  received: unknown[];
  socket: () => WebSocket;
  /** Resolves when `count` client messages have arrived. */
  messages(count: number): Promise<unknown[]>;
}

function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  return waitUntil(predicate, 'the condition', timeoutMs);
}

describe('conversations over real WebSockets (both protocols)', () => {
  let server: WebSocketServer;
  let peer: Peer;
  const managers: ConversationManager[] = [];

  beforeEach(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const received: unknown[] = [];
    let request: IncomingMessage | undefined;
    let socket: WebSocket | undefined;
    server.on('connection', (ws, req) => {
      request = req;
      socket = ws;
      ws.on('message', (data) => received.push(JSON.parse(String(data))));
    });
    peer = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      request: () => request as IncomingMessage,
      received,
      socket: () => socket as WebSocket,
      messages: async (count) => {
        await until(() => received.length >= count);
        return received;
      },
    };
  });

  afterEach(async () => {
    for (const manager of managers.splice(0)) await manager.close();
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function manager(protocol: 'v1' | 'v2'): { manager: ConversationManager; events: ConversationEvent[] } {
    const container = createParleyContainer({
      config: { realtime: { protocol, url: peer.url, model: 'realtime-test-model' }, log: { level: 'silent' } },
      modules: [parserV1Module, parserV2Module, wsTransportModule],
    });
    const created = container.get(ConversationManager);
    managers.push(created);
    const events: ConversationEvent[] = [];
    created.on((event) => events.push(event));
    return { manager: created, events };
  }

  it('v1: handshake with intent and openai-alpha, session.update first, audio and text in order, replies in order', async () => {
    const { manager: conversation, events } = manager('v1');
    await conversation.start({ instructions: 'backend prompt', sessionId: 'sess-42' });
    expect(peer.request().url).to.equal('/v1/realtime?intent=quicksilver&model=realtime-test-model');
    expect(peer.request().headers['openai-alpha']).to.equal('quicksilver=v1');
    expect(peer.request().headers['x-session-id']).to.equal('sess-42');
    expect(peer.request().headers.authorization).to.equal(undefined);
    conversation.sendAudio({ data: 'AQIDBA==' });
    await conversation.sendText('hello');
    const received = await peer.messages(3);
    expect(received).to.deep.equal([
      {
        type: 'session.update',
        session: {
          type: 'quicksilver',
          instructions: 'backend prompt',
          audio: { input: { format: { type: 'audio/pcm', rate: 24000 } }, output: { voice: 'cove' } },
        },
      },
      { type: 'input_audio_buffer.append', audio: 'AQIDBA==' },
      { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] } },
    ]);
    peer.socket().send(JSON.stringify({ type: 'session.updated', session: { id: 'sess_1' } }));
    peer.socket().send(JSON.stringify({ type: 'conversation.output_transcript.delta', delta: 'hi' }));
    peer.socket().send(JSON.stringify({ type: 'conversation.output_audio.delta', delta: 'AQID', sample_rate: 24000, channels: 1 }));
    await until(() => events.length >= 4);
    expect(events).to.deep.equal([
      { type: 'started', protocol: 'v1', sessionId: 'sess-42' },
      { type: 'sessionUpdated', sessionId: 'sess_1' },
      { type: 'outputTranscriptDelta', delta: 'hi' },
      { type: 'audioOut', data: 'AQID', sampleRate: 24000, numChannels: 1 },
    ]);
  });

  it('v2: no intent, no openai-alpha; a function call is delegated by the app and answered; gating over the socket', async () => {
    const { manager: conversation, events } = manager('v2');
    await conversation.start({ voice: 'cedar' });
    expect(peer.request().url).to.equal('/v1/realtime?model=realtime-test-model');
    expect(peer.request().headers['openai-alpha']).to.equal(undefined);
    const socket = peer.socket();
    socket.send(JSON.stringify({ type: 'response.created', response: { id: 'resp_1' } }));
    socket.send(
      JSON.stringify({
        type: 'conversation.item.done',
        item: { id: 'item_1', type: 'function_call', name: 'background_agent', call_id: 'call_1', arguments: '{"prompt":"look it up"}' },
      }),
    );
    await until(() => events.some((event) => event.type === 'delegationStarted'));
    await conversation.sendAssistantOutput('found it');
    await conversation.finishTurn();
    await peer.messages(3);
    // The response is still active: the response request is owed, not sent.
    expect(peer.received.map((message) => (message as { type: string }).type)).to.deep.equal([
      'session.update',
      'conversation.item.create',
      'conversation.item.create',
    ]);
    expect(conversation.stats().deferredResponseRequests).to.equal(1);
    socket.send(JSON.stringify({ type: 'response.done', response: { id: 'resp_1' } }));
    const received = await peer.messages(4);
    expect(received[2]).to.deep.equal({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'call_1', output: '"Agent Final Message":\n\nfound it' },
    });
    expect(received[3]).to.deep.equal({ type: 'response.create' });
  });

  it('a server close frame ends the conversation with transport_closed and its code', async () => {
    const { manager: conversation, events } = manager('v2');
    await conversation.start();
    peer.socket().close(4001, 'go away');
    await until(() => events.some((event) => event.type === 'closed'));
    expect(events[events.length - 1]).to.deep.equal({ type: 'closed', reason: 'transport_closed', code: 4001, closeReason: 'go away' });
  });

  it('close() sends a normal close frame', async () => {
    const { manager: conversation } = manager('v1');
    await conversation.start();
    const closed = new Promise<number>((resolve) => peer.socket().once('close', (code) => resolve(code)));
    await conversation.close();
    expect(await closed).to.equal(1000);
  });
});
