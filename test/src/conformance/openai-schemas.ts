/**
 * Run-time validation against the official `openai` package's realtime event types: JSON schemas
 * generated from `RealtimeServerEvent` and `RealtimeClientEvent` (`resources/realtime/realtime.d.ts`)
 * by `test/scripts/generate-openai-schemas.mjs` (ts-json-schema-generator, unknown fields forbidden),
 * validated with ajv. An event is validated against the union member its `type` names, so an error
 * says what is wrong with that event rather than listing every member of the union.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/** The two official unions we validate against. */
export type OpenAiUnion = 'RealtimeServerEvent' | 'RealtimeClientEvent';

const FILES: Record<OpenAiUnion, string> = {
  RealtimeServerEvent: 'realtime-server-event.schema.json',
  RealtimeClientEvent: 'realtime-client-event.schema.json',
};

/** The generated schemas live in the source tree (`src/conformance/generated`); tests run from `dist/conformance`. */
export const GENERATED_DIR = new URL('../../src/conformance/generated/', import.meta.url);

/** What a generated schema records about its source (see the generator script). */
export interface SchemaSource {
  openai: string;
  generator: string;
  sourceSha256: string;
}

interface SchemaDocument {
  'x-source': SchemaSource;
  $ref: string;
  definitions: Record<string, { anyOf?: { $ref: string }[]; properties?: Record<string, { const?: string }> }>;
}

/**
 * Fields the live API sends that the official types do not declare, so the strict schema would
 * reject them: `session.id` and `session.object` of `session.created` / `session.updated` (the API
 * reference's examples carry them, `"object": "realtime.session"`; Parley's spec 03 reads
 * `session.id`). They are removed before validating, and nothing else is.
 */
export function withoutUntypedLiveFields(event: unknown): unknown {
  if (typeof event !== 'object' || event === null) return event;
  const record = event as Record<string, unknown>;
  if (record['type'] !== 'session.created' && record['type'] !== 'session.updated') return event;
  const session = record['session'];
  if (typeof session !== 'object' || session === null) return event;
  const { id: _id, object: _object, ...rest } = session as Record<string, unknown>;
  return { ...record, session: rest };
}

/** A validator of one official union: `validate(event)` returns the problems found (none: conforms). */
export class OpenAiEventValidator {
  readonly source: SchemaSource;
  /** Every `type` value the union has. */
  readonly types: readonly string[];
  private readonly byType = new Map<string, ValidateFunction>();

  constructor(readonly union: OpenAiUnion) {
    const document = JSON.parse(readFileSync(new URL(FILES[union], GENERATED_DIR), 'utf8')) as SchemaDocument;
    this.source = document['x-source'];
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema({ ...document, $id: 'openai' });
    const members = document.definitions[union]?.anyOf ?? [];
    for (const member of members) {
      const name = member.$ref.replace('#/definitions/', '');
      const type = document.definitions[name]?.properties?.['type']?.const;
      if (type === undefined) throw new Error(`${union} member ${name} has no constant type`);
      const validate = ajv.getSchema(`openai#/definitions/${name}`);
      if (validate === undefined) throw new Error(`no schema for ${name}`);
      this.byType.set(type, validate);
    }
    this.types = [...this.byType.keys()];
  }

  /** The problems of `event` against its union member (an unknown `type` is one problem). */
  validate(event: unknown): string[] {
    const type = typeof event === 'object' && event !== null ? (event as Record<string, unknown>)['type'] : undefined;
    const validate = typeof type === 'string' ? this.byType.get(type) : undefined;
    if (validate === undefined) return [`type ${JSON.stringify(type)} is not a ${this.union}`];
    if (validate(event)) return [];
    return (validate.errors ?? []).map((error: ErrorObject) => describe(error));
  }
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const detail =
    typeof params['additionalProperty'] === 'string'
      ? ` (${params['additionalProperty']})`
      : params['allowedValues'] !== undefined
        ? ` (${JSON.stringify(params['allowedValues'])})`
        : params['allowedValue'] !== undefined
          ? ` (${JSON.stringify(params['allowedValue'])})`
          : '';
  return `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${detail}`;
}
