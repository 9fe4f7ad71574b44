import { expect } from 'chai';
import { ConversationManager, ProtocolStrategy, createParleyContainer } from '@parley/core';
import { parserV1Module } from '../parser-v1-module.js';
import { V1ProtocolStrategy } from '../v1-protocol-strategy.js';

describe('parserV1Module', () => {
  it('binds the v1 strategy as a singleton ProtocolStrategy', () => {
    const container = createParleyContainer({ config: { log: { level: 'silent' } }, modules: [parserV1Module] });
    const strategies = container.getAll(ProtocolStrategy);
    expect(strategies).to.have.length(1);
    expect(strategies[0]).to.be.instanceOf(V1ProtocolStrategy);
    expect(strategies[0]!.id).to.equal('v1');
    expect(container.getAll(ProtocolStrategy)[0]).to.equal(strategies[0]);
  });

  it('registers v1 with the conversation manager', () => {
    const container = createParleyContainer({ config: { log: { level: 'silent' } }, modules: [parserV1Module] });
    expect(container.get(ConversationManager).protocols).to.deep.equal(['v1']);
  });
});
