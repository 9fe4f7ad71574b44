import { expect } from 'chai';
import { RecordingLogger } from '@parley/testkit';
import { waitUntil, WsFixtures } from '../support/ws-fixtures.js';

const AUDIO_CAPACITY = 8;
const TEXT_CAPACITY = 4;
/** 192 KiB of PCM16 per frame (256 KiB of base64): TCP fills after a few dozen. */
const FRAME = Buffer.alloc(192 * 1024, 3).toString('base64');

function immediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('reliability: a server that stops reading (real ws)', () => {
  const fixtures = new WsFixtures();
  afterEach(() => fixtures.closeAll());

  it('audio is dropped and counted (one warning per burst), text waits and is all delivered in order once the server reads again', async function () {
    this.timeout(20_000);
    const server = await fixtures.server();
    const logger = new RecordingLogger();
    const c = fixtures.conversation(server.url, {
      config: { realtime: { queues: { audioIn: AUDIO_CAPACITY, textIn: TEXT_CAPACITY } } },
      logger,
    });
    await c.manager.start({ apiKey: 'k' });
    const peer = await server.peer(0);
    await waitUntil(() => peer.received.length === 1, 'session.update');
    peer.socket.pause();

    // Offer audio until the socket is stuck and the audio queue overflows.
    let offered = 0;
    while (c.manager.stats().droppedAudioFrames === 0) {
      expect(offered, 'the socket never got stuck').to.be.below(2000);
      c.manager.sendAudio({ data: FRAME });
      offered += 1;
      await immediate();
    }
    for (let extra = 0; extra < 20; extra += 1) {
      c.manager.sendAudio({ data: FRAME });
      offered += 1;
    }
    const texts = Array.from({ length: 10 }, (_, index) => `kept-${index}`);
    const settled: string[] = [];
    const failures: unknown[] = [];
    for (const text of texts) {
      c.manager.sendText(text).then(
        () => settled.push(text),
        (error: unknown) => failures.push(error),
      );
    }
    await immediate();
    const stuck = c.manager.stats();
    expect(stuck.droppedAudioFrames).to.be.at.least(21);
    expect(stuck.queued.audioIn).to.equal(AUDIO_CAPACITY);
    expect(stuck.queued.textIn).to.equal(TEXT_CAPACITY);
    expect(settled, 'callers beyond the text capacity await space').to.deep.equal(texts.slice(0, TEXT_CAPACITY));
    const warnings = logger.lines.filter((line) => line.level === 'warn' && line.message.startsWith('audio queue full'));
    expect(warnings, 'one warning for the burst').to.have.length(1);

    peer.socket.resume();
    await waitUntil(
      () => peer.received.length === 1 + (offered - stuck.droppedAudioFrames) + texts.length,
      'everything not dropped',
      15_000,
    );
    const received = peer.json();
    const audio = received.filter((message) => message.type === 'input_audio_buffer.append');
    const userTexts = received.flatMap((message) => {
      const item = message.item as { content?: { text: string }[] } | undefined;
      return message.type === 'conversation.item.create' ? [item?.content?.[0]?.text] : [];
    });
    expect(audio).to.have.length(offered - stuck.droppedAudioFrames);
    expect(userTexts, 'no text lost, in order').to.deep.equal(texts);
    // The texts come after the audio that was queued before them (arrival order).
    expect(received.slice(-texts.length).map((message) => message.type)).to.deep.equal(texts.map(() => 'conversation.item.create'));
    expect(failures).to.deep.equal([]);
    expect(settled).to.deep.equal(texts);
    expect(c.manager.stats().droppedAudioFrames, 'nothing more dropped').to.equal(stuck.droppedAudioFrames);
    expect(c.manager.running).to.equal(true);

    // A new burst after the queue drained warns again.
    peer.socket.pause();
    const before = c.manager.stats().droppedAudioFrames;
    let more = 0;
    while (c.manager.stats().droppedAudioFrames === before) {
      expect(more, 'the socket never got stuck again').to.be.below(2000);
      c.manager.sendAudio({ data: FRAME });
      more += 1;
      await immediate();
    }
    expect(logger.lines.filter((line) => line.level === 'warn' && line.message.startsWith('audio queue full'))).to.have.length(2);
    await c.manager.close();
    expect(c.manager.stats().discardedInputs, 'queued inputs discarded on close are counted').to.equal(AUDIO_CAPACITY);
  });
});
