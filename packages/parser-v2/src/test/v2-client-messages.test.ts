import { expect } from 'chai';
import {
  functionCallOutput,
  inputAudioAppend,
  inputAudioAppendText,
  itemDelete,
  itemTruncate,
  progressItem,
  responseCreate,
  steeringAcknowledgement,
  userTextItem,
} from '../v2-client-messages.js';

/** What goes on the wire: the JSON text, parsed back. */
const wire = (message: object): unknown => JSON.parse(JSON.stringify(message));

describe('V2 client messages (spec 03 table), exactly', () => {
  it('microphone audio', () => {
    expect(wire(inputAudioAppend('BQYHCA=='))).to.deep.equal({ type: 'input_audio_buffer.append', audio: 'BQYHCA==' });
    // The hot-path text form is byte-for-byte what JSON.stringify gives for the message.
    for (const data of ['BQYHCA==', '', 'AQID', Buffer.alloc(960, 255).toString('base64')]) {
      expect(inputAudioAppendText(data)).to.equal(JSON.stringify(inputAudioAppend(data)));
    }
  });

  it('user text', () => {
    expect(wire(userTextItem('hello'))).to.deep.equal({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] },
    });
  });

  it('delegate progress', () => {
    expect(wire(progressItem('working on it'))).to.deep.equal({
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: "working on it\n\nUpdate from background agent (task hasn't finished yet):" }],
      },
    });
  });

  it('delegate final result (and the empty one)', () => {
    expect(wire(functionCallOutput('call_1', 'result'))).to.deep.equal({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'call_1', output: '"Agent Final Message":\n\nresult' },
    });
    expect(JSON.stringify(functionCallOutput('c', ''))).to.equal(
      '{"type":"conversation.item.create","item":{"type":"function_call_output","call_id":"c","output":"\\"Agent Final Message\\":\\n\\n"}}',
    );
  });

  it('steering acknowledgement', () => {
    expect(wire(steeringAcknowledgement('call_new'))).to.deep.equal({
      type: 'conversation.item.create',
      item: {
        type: 'function_call_output',
        call_id: 'call_new',
        output: '"Agent Final Message":\n\nThis was sent to steer the previous background agent task.',
      },
    });
  });

  it('response request, truncate, delete', () => {
    expect(JSON.stringify(responseCreate())).to.equal('{"type":"response.create"}');
    expect(wire(itemTruncate('it_1', 60))).to.deep.equal({
      type: 'conversation.item.truncate',
      item_id: 'it_1',
      content_index: 0,
      audio_end_ms: 60,
    });
    expect(wire(itemDelete('it_1'))).to.deep.equal({ type: 'conversation.item.delete', item_id: 'it_1' });
  });
});
