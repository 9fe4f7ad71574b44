import { expect } from 'chai';
import { AGENT_FINAL_MESSAGE_PREFIX, v1AudioMessage, v1AudioText, v1HandoffAppendMessage } from '../v1-messages.js';

describe('v1 messages', () => {
  it('the hot-path audio text is byte-for-byte JSON.stringify of the audio message', () => {
    for (const data of ['AQIDBA==', '', Buffer.alloc(960, 255).toString('base64')]) {
      expect(v1AudioText({ data })).to.equal(JSON.stringify(v1AudioMessage({ data })));
    }
  });

  it('the prefix is the 22 characters "Agent Final Message": and two newlines', () => {
    expect(AGENT_FINAL_MESSAGE_PREFIX).to.equal('"Agent Final Message":\n\n');
    expect(AGENT_FINAL_MESSAGE_PREFIX.length).to.equal(24);
    expect(AGENT_FINAL_MESSAGE_PREFIX.slice(0, 22)).to.equal('"Agent Final Message":');
  });

  it('delegate output is conversation.handoff.append with the prefixed text', () => {
    expect(JSON.stringify(v1HandoffAppendMessage('handoff_1', 'hello from background agent'))).to.equal(
      '{"type":"conversation.handoff.append","handoff_id":"handoff_1","output_text":"\\"Agent Final Message\\":\\n\\nhello from background agent"}',
    );
  });
});
