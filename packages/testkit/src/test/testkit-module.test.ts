import { expect } from 'chai';
import { Clock, ConversationManager, createParleyContainer, TransportFactory } from '@parley/core';
import { InMemoryTransport } from '../in-memory-transport.js';
import { testkitModule } from '../testkit-module.js';
import { VirtualClock } from '../virtual-clock.js';

describe('testkitModule', () => {
  it('binds one virtual clock and one in-memory transport for the whole container', () => {
    const container = createParleyContainer({ config: { log: { level: 'silent' } }, before: [testkitModule] });
    const clock = container.get(VirtualClock);
    expect(container.get(Clock)).to.equal(clock);
    const transport = container.get(InMemoryTransport);
    expect(container.get(TransportFactory)).to.equal(transport);
    expect(container.get(ConversationManager)).to.be.instanceOf(ConversationManager);
    clock.advanceTo(1500);
    expect(container.get(Clock).now()).to.equal(1500);
  });
});
