import { expect } from 'chai';
import { REDACTED, displayUrl, headerSecrets, secretRedactor } from '../secret-redactor.js';

describe('secretRedactor', () => {
  it('replaces every occurrence of each secret, raw and percent-encoded', () => {
    const redact = secretRedactor(['sk-a+b/c=', undefined, 'token-xyz']);
    expect(redact('k=sk-a+b/c= then sk-a%2Bb%2Fc%3D and token-xyz, token-xyz')).to.equal(
      `k=${REDACTED} then ${REDACTED} and ${REDACTED}, ${REDACTED}`,
    );
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    expect(secretRedactor(['abcd', 'abcdefgh'])('xabcdefghx')).to.equal(`x${REDACTED}x`);
  });

  it('ignores secrets shorter than 4 characters and returns text unchanged without secrets', () => {
    expect(secretRedactor(['abc', ''])('abc')).to.equal('abc');
    expect(secretRedactor([])('anything')).to.equal('anything');
  });
});

describe('headerSecrets', () => {
  it('takes credential header values and their tokens, any case', () => {
    expect(
      headerSecrets({ Authorization: 'Bearer tok-1', 'API-KEY': 'k2', 'x-api-key': 'k3', 'Proxy-Authorization': 'Basic zz', Other: 'x' }),
    ).to.deep.equal(['Bearer tok-1', 'tok-1', 'k2', 'k3', 'Basic zz', 'zz']);
  });
});

describe('displayUrl', () => {
  it('drops user and password, keeps the rest', () => {
    expect(displayUrl(new URL('wss://user:pw@h.example:1/v1/realtime?a=b'))).to.equal('wss://h.example:1/v1/realtime?a=b');
    expect(displayUrl(new URL('wss://h.example/x'))).to.equal('wss://h.example/x');
  });
});
