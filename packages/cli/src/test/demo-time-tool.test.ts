import { expect } from 'chai';
import type { ToolCall } from '@parley/core';
import { demoTimeTool, localTimeHHMM } from '../demo-time-tool.js';

describe("parley demo's current_time tool (spec 09 §13.3)", () => {
  it('is declared as the spec says: name, description, no parameters', () => {
    const tool = demoTimeTool();
    expect({ name: tool.name, description: tool.description, parameters: tool.parameters }).to.deep.equal({
      name: 'current_time',
      description: 'The current local time, HH:MM.',
      parameters: { type: 'object', properties: {} },
    });
    expect(tool.behavior).to.equal(undefined);
  });

  it('returns the local time of its clock as HH:MM, zero-padded, 24-hour', () => {
    const call = {} as ToolCall;
    expect(demoTimeTool(() => new Date(2026, 0, 1, 10, 15, 59)).execute({}, call)).to.equal('10:15');
    expect(demoTimeTool(() => new Date(2026, 0, 1, 7, 5)).execute({}, call)).to.equal('07:05');
    expect(demoTimeTool(() => new Date(2026, 0, 1, 23, 0)).execute({}, call)).to.equal('23:00');
    expect(localTimeHHMM(new Date(2026, 0, 1, 0, 9))).to.equal('00:09');
  });

  it('reads the machine clock by default', () => {
    const before = localTimeHHMM(new Date());
    const result = demoTimeTool().execute({}, {} as ToolCall);
    const after = localTimeHHMM(new Date());
    expect([before, after]).to.include(result);
  });
});
