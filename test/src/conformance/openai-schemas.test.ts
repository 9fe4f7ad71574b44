/**
 * The generated schemas are up to date with the installed `openai` package, and both checks (the
 * run-time schema and the compile-time type check) reject what the official types reject.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { OpenAiEventValidator, withoutUntypedLiveFields } from './openai-schemas.js';
import { typeCheckEvents } from './type-check.js';

const require = createRequire(import.meta.url);

function packageRoot(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package root of ${name}`);
    dir = parent;
  }
}

function version(root: string): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

const VALID_DONE = {
  type: 'response.done',
  event_id: 'event_9',
  response: { object: 'realtime.response', id: 'resp_1', status: 'completed', output: [] },
};

describe('conformance: the openai schemas and checks', function () {
  this.timeout(60000);

  for (const union of ['RealtimeServerEvent', 'RealtimeClientEvent'] as const) {
    it(`the ${union} schema was generated from the installed openai and generator (else: npm run generate:schemas)`, () => {
      const openai = packageRoot('openai');
      const installed = {
        openai: version(openai),
        generator: version(packageRoot('ts-json-schema-generator')),
        sourceSha256: createHash('sha256')
          .update(readFileSync(join(openai, 'resources/realtime/realtime.d.ts')))
          .digest('hex'),
      };
      expect(new OpenAiEventValidator(union).source).to.deep.equal(installed);
    });
  }

  it('the run-time schema rejects an unknown field, a null where the type has none, a wrong enum, an unknown type', () => {
    const validator = new OpenAiEventValidator('RealtimeServerEvent');
    expect(validator.validate(VALID_DONE)).to.deep.equal([]);
    expect(validator.validate({ ...VALID_DONE, extra: 1 })).to.deep.equal(['/ must NOT have additional properties (extra)']);
    expect(validator.validate({ ...VALID_DONE, response: { ...VALID_DONE.response, status_details: null } })).to.deep.equal([
      '/response/status_details must be object',
    ]);
    expect(validator.validate({ ...VALID_DONE, response: { ...VALID_DONE.response, status: 'done' } })).to.have.length(1);
    expect(validator.validate({ type: 'response.finished', event_id: 'e' })).to.deep.equal([
      'type "response.finished" is not a RealtimeServerEvent',
    ]);
  });

  it('only session.id and session.object, which the live API sends and the types lack, are set aside', () => {
    const created = { type: 'session.created', event_id: 'e', session: { type: 'realtime', object: 'realtime.session', id: 'sess_1' } };
    expect(withoutUntypedLiveFields(created)).to.deep.equal({ type: 'session.created', event_id: 'e', session: { type: 'realtime' } });
    expect(withoutUntypedLiveFields(VALID_DONE)).to.equal(VALID_DONE);
  });

  it('the compile-time check rejects an unknown field and a semantic_vad with server-VAD fields', () => {
    const diagnostics = typeCheckEvents('negative-control', 'RealtimeServerEvent', [
      VALID_DONE,
      { ...VALID_DONE, extra: 1 },
      {
        type: 'session.updated',
        event_id: 'e',
        session: { type: 'realtime', audio: { input: { turn_detection: { type: 'semantic_vad', threshold: 0.5 } } } },
      },
    ]);
    expect(diagnostics).to.have.length(2);
    expect(diagnostics[0]).to.match(/^negative-control\.ts:5: .*extra/);
    expect(diagnostics[1]).to.match(/^negative-control\.ts:6: .*threshold/);
  });
});
