import { expect } from 'chai';
import type { ConversationEvent } from '@parley/core';
import { escapeForTerminal, jsonLine } from '../terminal-text.js';
import { TranscriptPrinter } from '../transcript-printer.js';

function print(events: ConversationEvent[], before?: (printer: TranscriptPrinter) => void): string[] {
  const lines: string[] = [];
  const printer = new TranscriptPrinter((line) => lines.push(line));
  before?.(printer);
  for (const event of events) printer.handle(event);
  printer.flush();
  return lines;
}

const delta = (text: string): ConversationEvent => ({ type: 'outputTranscriptDelta', delta: text });

describe('TranscriptPrinter', () => {
  it('tool calls and answers: [tool] call, [tool] result, [tool] error (with the reason); server text escaped', () => {
    expect(
      print([
        { type: 'toolCall', callId: 'call_1', name: 'current_time', arguments: '{"timezone":"Europe/Paris"}', itemId: 'item_1' },
        { type: 'toolResult', callId: 'call_1', name: 'current_time', output: '10:15', error: false },
        { type: 'toolCall', callId: 'call_2', name: 'launch_rocket', arguments: '{}' },
        {
          type: 'toolResult',
          callId: 'call_2',
          name: 'launch_rocket',
          output: '{"error":"unknown tool `launch_rocket`"}',
          error: true,
          reason: 'unknown_tool',
        },
        { type: 'toolCall', callId: 'call_3', name: 'book\u001b]0;x\u0007', arguments: '{"at":"20:00\n"}' },
        { type: 'toolResult', callId: 'call_3', name: 'book_table', output: 'Booked\r\n\u001b[2J', error: false, background: true },
      ]),
    ).to.deep.equal([
      '[tool] call current_time {"timezone":"Europe/Paris"} (call_1)',
      '[tool] result current_time: 10:15',
      '[tool] call launch_rocket {} (call_2)',
      '[tool] error launch_rocket (unknown_tool): {"error":"unknown tool `launch_rocket`"}',
      '[tool] call book\\u001b]0;x\\u0007 {"at":"20:00\\n"} (call_3)',
      '[tool] result book_table: Booked\\r\\n\\u001b[2J',
    ]);
  });

  it('a tool line never cuts an answer being spoken in two', () => {
    expect(
      print([
        { type: 'responseCreated', responseId: 'r1' },
        delta('Let me '),
        { type: 'toolCall', callId: 'call_1', name: 'current_time', arguments: '{}' },
        delta('check.'),
        { type: 'responseDone', responseId: 'r1' },
      ]),
    ).to.deep.equal(['[tool] call current_time {} (call_1)', 'assistant: Let me check.']);
  });

  it('one line per message: two answers whose deltas follow each other are not glued', () => {
    expect(
      print([
        { type: 'responseCreated', responseId: 'r1' },
        delta('first answer line'),
        { type: 'responseDone', responseId: 'r1' },
        { type: 'responseCreated', responseId: 'r2' },
        delta('second answer line'),
        { type: 'responseDone', responseId: 'r2' },
      ]),
    ).to.deep.equal(['assistant: first answer line', 'assistant: second answer line']);
    // V1: items, no responses.
    expect(
      print([
        { type: 'conversationItemAdded', item: { id: 'i1', role: 'assistant' } },
        delta('first'),
        { type: 'conversationItemDone', itemId: 'i1' },
        { type: 'conversationItemAdded', item: { id: 'i2', role: 'assistant' } },
        delta('second'),
        { type: 'conversationItemDone', itemId: 'i2' },
      ]),
    ).to.deep.equal(['assistant: first', 'assistant: second']);
  });

  it('a note in the middle of a message does not print a partial line (no "assistant: It", then the sentence)', () => {
    expect(
      print([
        delta('It'),
        { type: 'conversationItemAdded', item: { id: 'u1', role: 'user' } },
        { type: 'handoffRequested', handoffId: 'h1', itemId: 'u1', inputTranscript: 'look up', activeTranscript: [] },
        delta(' is sunny.'),
        { type: 'outputTranscriptDone', text: 'It is sunny.' },
      ]),
    ).to.deep.equal(['[handoff] h1: "look up"', 'assistant: It is sunny.']);
  });

  it('echoes user text once: the server echo (deltas or done) is not printed again', () => {
    expect(
      print(
        [
          { type: 'inputTranscriptDelta', delta: 'Hello' },
          { type: 'inputTranscriptDelta', delta: ' there' },
          { type: 'conversationItemAdded', item: { id: 'a1', role: 'assistant' } },
          delta('Hi'),
          { type: 'outputTranscriptDone', text: 'Hi!' },
          { type: 'inputTranscriptDone', text: 'Hello there' },
        ],
        (printer) => printer.userText('Hello there'),
      ),
    ).to.deep.equal(['user: Hello there', 'assistant: Hi!']);
  });

  it('escapes control characters in every line', () => {
    expect(print([{ type: 'outputTranscriptDone', text: 'a\u001b]0;title\u0007b\nc\u009b2J' }])).to.deep.equal([
      'assistant: a\\u001b]0;title\\u0007b\\nc\\u009b2J',
    ]);
    expect(escapeForTerminal('tab\there \u202eevil')).to.equal('tab\\there \\u202eevil');
    const line = jsonLine({ text: 'x\u009b\u2028\u001b' });
    // eslint-disable-next-line no-control-regex
    expect(line).not.to.match(/[\u0000-\u001f\u007f-\u009f\u2028]/);
    expect(JSON.parse(line)).to.deep.equal({ text: 'x\u009b\u2028\u001b' });
  });
});
