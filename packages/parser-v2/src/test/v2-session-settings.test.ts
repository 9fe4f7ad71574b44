import { expect } from 'chai';
import { isParleyError, type SessionSettings } from '@parley/core';
import { resolveV2Session } from '../v2-session-settings.js';

const base: SessionSettings = {
  instructions: '',
  voice: undefined,
  model: 'm',
  outputModality: 'audio',
  mode: 'conversational',
  sessionId: undefined,
  tools: [],
};

function failure(settings: SessionSettings): { code: string; message: string } {
  try {
    resolveV2Session(settings);
  } catch (error) {
    if (isParleyError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('resolveV2Session did not throw');
}

describe('resolveV2Session', () => {
  it('fills the default voice marin (unset or empty)', () => {
    expect(resolveV2Session(base).voice).to.equal('marin');
    expect(resolveV2Session({ ...base, voice: '' }).voice).to.equal('marin');
  });

  it('accepts every V2 voice and both modalities and modes', () => {
    for (const voice of ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar']) {
      expect(resolveV2Session({ ...base, voice }).voice).to.equal(voice);
    }
    expect(resolveV2Session({ ...base, outputModality: 'text', mode: 'transcription' })).to.deep.include({
      outputModality: 'text',
      mode: 'transcription',
    });
  });

  it('rejects another voice with the exact message', () => {
    expect(failure({ ...base, voice: 'cove' })).to.deep.equal({
      code: 'ERR_INVALID_SESSION',
      message:
        'voice `cove` is not supported for v2; supported voices: alloy, ash, ballad, coral, echo, sage, shimmer, verse, marin, cedar',
    });
  });

  it('rejects an unknown modality or mode', () => {
    expect(failure({ ...base, outputModality: 'video' as 'audio' }).code).to.equal('ERR_INVALID_SESSION');
    expect(failure({ ...base, mode: 'dictation' as 'conversational' }).code).to.equal('ERR_INVALID_SESSION');
  });

  it('accepts function and mcp user tools and copies the list', () => {
    const tools = [
      { type: 'function', name: 'lookup' },
      { type: 'mcp', server_label: 'docs' },
    ];
    const resolved = resolveV2Session({ ...base, tools });
    expect(resolved.tools).to.deep.equal(tools);
    expect(resolved.tools).to.not.equal(tools);
  });

  it('rejects a user tool named background_agent, a nameless function, an unknown kind, a non-object', () => {
    expect(failure({ ...base, tools: [{ type: 'function', name: 'background_agent' }] }).message).to.contain(
      'tools[0] is named `background_agent`',
    );
    expect(failure({ ...base, tools: [{ type: 'function', name: 'ok' }, { type: 'function' }] }).message).to.contain('tools[1]');
    expect(failure({ ...base, tools: [{ type: 'web_search' }] }).message).to.contain('function or mcp');
    expect(failure({ ...base, tools: ['lookup'] }).code).to.equal('ERR_INVALID_SESSION');
    expect(failure({ ...base, tools: [{ type: 'mcp' }] }).code).to.equal('ERR_INVALID_SESSION');
  });

  it('does not change its input', () => {
    const input = { ...base };
    resolveV2Session(input);
    expect(input.voice).to.equal(undefined);
  });
});
