import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { expect } from 'chai';
import { MAX_EXCERPT_CHARS, bodyExcerpt, readBodyStart } from '../response-excerpt.js';

describe('bodyExcerpt', () => {
  it('collapses control characters and whitespace, trims', () => {
    expect(bodyExcerpt(Buffer.from('  {"error":\r\n\t"bad key"}\u0000 '))).to.equal('{"error": "bad key"}');
  });

  it('keeps at most 200 characters and never splits a surrogate pair', () => {
    expect(bodyExcerpt('x'.repeat(500))).to.equal('x'.repeat(MAX_EXCERPT_CHARS));
    expect(MAX_EXCERPT_CHARS).to.equal(200);
    const text = `${'y'.repeat(199)}😀tail`;
    expect(bodyExcerpt(text)).to.equal('y'.repeat(199));
  });

  it('returns "" for an empty body', () => {
    expect(bodyExcerpt(Buffer.alloc(0))).to.equal('');
  });
});

describe('readBodyStart', () => {
  it('resolves with the whole body when it ends', async () => {
    const stream = new PassThrough();
    const reading = readBodyStart(stream as unknown as IncomingMessage);
    stream.write('hello ');
    stream.end('world');
    expect((await reading.body).toString()).to.equal('hello world');
  });

  it('stops at 2 KiB', async () => {
    const stream = new PassThrough();
    const reading = readBodyStart(stream as unknown as IncomingMessage);
    stream.write(Buffer.alloc(1500, 0x61));
    stream.write(Buffer.alloc(1500, 0x62));
    const body = await reading.body;
    expect(body.length).to.equal(2048);
    stream.destroy();
  });

  it('resolves early with what arrived when done() is called', async () => {
    const stream = new PassThrough();
    const reading = readBodyStart(stream as unknown as IncomingMessage);
    stream.write('partial');
    await new Promise((resolve) => setImmediate(resolve));
    reading.done();
    expect((await reading.body).toString()).to.equal('partial');
    stream.destroy();
  });
});
