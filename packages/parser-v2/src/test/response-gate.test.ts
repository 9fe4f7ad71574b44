import { expect } from 'chai';
import { ResponseGate } from '../response-gate.js';

describe('ResponseGate', () => {
  function setup() {
    const log: string[] = [];
    const gate = new ResponseGate(
      () => log.push('create'),
      () => log.push('deferred'),
    );
    return { gate, log };
  }

  it('starts idle: the first request is sent and makes it active', () => {
    const { gate, log } = setup();
    expect([gate.active, gate.pending]).to.deep.equal([false, false]);
    gate.request();
    expect(log).to.deep.equal(['create']);
    expect([gate.active, gate.pending]).to.deep.equal([true, false]);
  });

  it('requests while active are deferred and collapse; finished sends one', () => {
    const { gate, log } = setup();
    gate.created();
    gate.request();
    gate.request();
    expect(log).to.deep.equal(['deferred', 'deferred']);
    expect(gate.pending).to.equal(true);
    gate.finished();
    expect(log).to.deep.equal(['deferred', 'deferred', 'create']);
    expect([gate.active, gate.pending]).to.deep.equal([true, false]);
    gate.finished();
    expect(log).to.have.length(3);
    expect(gate.active).to.equal(false);
  });

  it('race marks active and pending without sending', () => {
    const { gate, log } = setup();
    gate.race();
    expect(log).to.deep.equal([]);
    expect([gate.active, gate.pending]).to.deep.equal([true, true]);
    gate.finished();
    expect(log).to.deep.equal(['create']);
  });

  it('reset forgets the owed request', () => {
    const { gate, log } = setup();
    gate.race();
    gate.reset();
    gate.finished();
    expect(log).to.deep.equal([]);
  });
});
