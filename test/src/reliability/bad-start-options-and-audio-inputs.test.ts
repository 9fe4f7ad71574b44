import { expect } from 'chai';
import type { AudioFrame, StartOptions } from '@parley/core';
import { createHarness } from '../support/harness.js';

function failure(action: () => unknown): { code?: string; message: string } | undefined {
  try {
    action();
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
  return undefined;
}

describe('reliability: bad start options and audio inputs get precise errors, before any network activity', () => {
  const circular: Record<string, unknown> = { type: 'function', name: 'loop' };
  circular.self = circular;
  const cases: [string, unknown, string, string][] = [
    // spec 09 §1.3 rule 13 words this one (the tool checks run after the protocol is resolved)
    [
      'tools with a circular entry',
      { tools: [circular] },
      'ERR_INVALID_SESSION',
      'tools[0] (`loop`) cannot be sent: it is not JSON-serializable (',
    ],
    ['tools that is not an array', { tools: 'x' }, 'ERR_INVALID_SESSION', 'start: tools must be an array (got string)'],
    ['instructions: 123', { instructions: 123 }, 'ERR_INVALID_SESSION', 'start: instructions must be a string (got number)'],
    ['voice: {}', { voice: {} }, 'ERR_INVALID_SESSION', 'start: voice must be a string (got object)'],
    ['model: 1', { model: 1 }, 'ERR_INVALID_SESSION', 'start: model must be a string (got number)'],
    ['sessionId: true', { sessionId: true }, 'ERR_INVALID_SESSION', 'start: sessionId must be a string (got boolean)'],
    ['outputModality: "video"', { outputModality: 'video' }, 'ERR_INVALID_SESSION', 'start: outputModality must be "audio" or "text"'],
    ['mode: 2', { mode: 2 }, 'ERR_INVALID_SESSION', 'start: mode must be "conversational" or "transcription"'],
    ['apiKey: 123', { apiKey: 123 }, 'ERR_INVALID_ARGUMENT', 'start: apiKey must be a string (got number)'],
    ['headers: []', { headers: [] }, 'ERR_INVALID_ARGUMENT', 'start: headers must be an object of string values'],
    ['headers with a number', { headers: { 'x-a': 1 } }, 'ERR_INVALID_ARGUMENT', 'start: headers.x-a must be a string'],
    ['options that are not an object', 'fast', 'ERR_INVALID_ARGUMENT', 'start: options must be an object (or omitted)'],
    ['options null', null, 'ERR_INVALID_ARGUMENT', 'start: options must be an object (or omitted)'],
  ];
  for (const [what, options, code, message] of cases) {
    it(`start() with ${what}: ${code} naming the field, one fatal error event, nothing connected`, async () => {
      const h = createHarness();
      const error = await h.manager.start(options as StartOptions).then(
        () => undefined,
        (thrown: unknown) => thrown as { code?: string; message: string },
      );
      expect(error?.code).to.equal(code);
      expect(error?.message.startsWith(message), error?.message).to.equal(true);
      expect(h.events).to.deep.equal([{ type: 'error', message: error?.message, fatal: true, code }]);
      expect(h.transport.requests, 'no connection was attempted').to.have.length(0);
    });
  }

  it('sendAudio({ data: 123 }) says that data must be a base64 string; an empty string is "empty"', async () => {
    const h = createHarness();
    await h.manager.start();
    expect(failure(() => h.manager.sendAudio({ data: 123 } as unknown as AudioFrame))).to.deep.equal({
      code: 'ERR_INVALID_AUDIO',
      message: 'sendAudio: data must be a base64 string of PCM16 audio (got number)',
    });
    expect(failure(() => h.manager.sendAudio({ data: '' }))?.message).to.equal('sendAudio: data is empty; pass base64-encoded PCM16 audio');
  });

  it('an audio frame is read once: a data getter that changes after the first read puts exactly the validated data on the wire', async () => {
    const h = createHarness();
    await h.manager.start();
    let reads = 0;
    const frame = {
      get data(): string {
        reads += 1;
        return reads === 1 ? 'AAAAAA==' : '"}{broken';
      },
    };
    h.manager.sendAudio(frame);
    await h.manager.close();
    expect(reads).to.equal(1);
    const sent = h.transport.current.sent;
    expect(sent.slice(1).map((text) => JSON.parse(text) as unknown)).to.deep.equal([{ type: 'audio', audio: 'AAAAAA==' }]);
  });
});
