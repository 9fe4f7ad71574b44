import { expect } from 'chai';
import { InputQueue } from '../input-queue.js';

describe('InputQueue', () => {
  it('hands out inputs of all lanes in arrival order', async () => {
    const queue = new InputQueue({ audioIn: 4, textIn: 4, handoffOut: 4, toolOut: 4 });
    queue.offerAudio('a1');
    await queue.put({ lane: 'textIn', kind: 'text', message: 't1' });
    await queue.put({ lane: 'handoffOut', kind: 'finish' });
    queue.offerAudio('a2');
    const order = [];
    for (let i = 0; i < 4; i += 1) order.push((await queue.take())?.kind);
    expect(order).to.deep.equal(['audio', 'text', 'finish', 'audio']);
  });

  it('refuses audio beyond its lane capacity without affecting other lanes', async () => {
    const queue = new InputQueue({ audioIn: 1, textIn: 1, handoffOut: 1, toolOut: 4 });
    expect(queue.offerAudio('a')).to.equal(true);
    expect(queue.offerAudio('b')).to.equal(false);
    await queue.put({ lane: 'textIn', kind: 'response' });
    expect(queue.sizes()).to.deep.equal({ audioIn: 1, textIn: 1, handoffOut: 0, toolOut: 0 });
  });

  it('a waiting caller takes the freed slot in order', async () => {
    const queue = new InputQueue({ audioIn: 1, textIn: 1, handoffOut: 1, toolOut: 4 });
    await queue.put({ lane: 'textIn', kind: 'text', message: '1' });
    let resolved = false;
    const waiting = queue.put({ lane: 'textIn', kind: 'text', message: '2' }).then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).to.equal(false);
    const first = await queue.take();
    await waiting;
    expect(first).to.deep.equal({ lane: 'textIn', kind: 'text', message: '1' });
    expect(await queue.take()).to.deep.equal({ lane: 'textIn', kind: 'text', message: '2' });
  });

  it('close() fails waiters, wakes the taker with undefined and reports what it discarded', async () => {
    const idle = new InputQueue({ audioIn: 1, textIn: 1, handoffOut: 1, toolOut: 4 });
    const taker = idle.take();
    expect(idle.close()).to.equal(0);
    expect(await taker).to.equal(undefined);

    const full = new InputQueue({ audioIn: 1, textIn: 1, handoffOut: 1, toolOut: 4 });
    full.offerAudio('a');
    await full.put({ lane: 'handoffOut', kind: 'output', text: 'x' });
    const waiter = full.put({ lane: 'handoffOut', kind: 'finish' }).catch((error: Error) => error.message);
    expect(full.close()).to.equal(3);
    expect(await waiter).to.equal('conversation is not running');
    expect(await full.take()).to.equal(undefined);
    expect(full.offerAudio('late')).to.equal(false);
  });
});
