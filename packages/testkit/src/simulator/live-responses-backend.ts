import type { IdGenerator } from './id-generator.js';
import { asRecord } from './simulator-dialect.js';

/** One backend run waiting for its function call outputs. */
interface Run {
  delegationId: string;
  /** Call id → its output, once `response.item.create` queued it. */
  calls: Map<string, string | undefined>;
}

/** What the backend does on the connection. */
export interface LiveResponsesSink {
  /** Sends a `response.event` envelope for `delegationId` with `event` inside. */
  event(delegationId: string, event: Record<string, unknown>): void;
  /** A non-fatal error. */
  error(code: string, message: string): void;
  /** The model speaks `text`. */
  say(text: string): void;
}

/**
 * The live simulator's hosted Responses backend (spec 08 "Simulator dialect live", Responses mode):
 * a delegated turn gets a run — `response.created`, a `reasoning` item, a `function_call` to the
 * first function tool of `delegation.responses.tools` with arguments `{"request":"<the words>"}`,
 * `response.completed` — inside `response.event`s tagged with the delegation id. Outputs are
 * queued by `response.item.create`; a `response.create` before every output of a run is queued
 * gets `function_call_outputs_required`; after, it continues the oldest run whose outputs are
 * all queued: a new response (`response.created`, `response.completed`) and the outputs spoken,
 * in call order, joined by a space. Deterministic ids per connection (`resp_<k>`, `rs_<k>`,
 * `fc_<k>`, `call_<k>`).
 */
export class LiveResponsesBackend {
  private readonly runs: Run[] = [];

  /**
   * @param tool the first function tool's name (`undefined`: the run calls nothing).
   */
  constructor(
    private readonly tool: string | undefined,
    private readonly ids: IdGenerator,
    private readonly sink: LiveResponsesSink,
  ) {}

  /** The first `function` tool of a `session.start`'s `delegation.responses.tools`, if any. */
  static firstFunctionTool(delegation: Record<string, unknown> | undefined): string | undefined {
    const tools = asRecord(delegation?.['responses'])?.['tools'];
    if (!Array.isArray(tools)) return undefined;
    for (const tool of tools) {
      const entry = asRecord(tool);
      if (entry?.['type'] === 'function' && typeof entry['name'] === 'string') return entry['name'];
    }
    return undefined;
  }

  /** A delegated turn (`words` the user said): one backend run, all its events at once. */
  delegate(delegationId: string, words: string): void {
    const responseId = this.ids.next('resp');
    this.sink.event(delegationId, { type: 'response.created', response: { id: responseId, status: 'in_progress', output: [] } });
    this.sink.event(delegationId, {
      type: 'response.output_item.done',
      output_index: 0,
      item: { id: this.ids.next('rs'), type: 'reasoning', summary: [] },
    });
    if (this.tool !== undefined) {
      const callId = this.ids.next('call');
      this.sink.event(delegationId, {
        type: 'response.output_item.done',
        output_index: 1,
        item: {
          id: this.ids.next('fc'),
          type: 'function_call',
          status: 'completed',
          call_id: callId,
          name: this.tool,
          arguments: JSON.stringify({ request: words }),
        },
      });
      this.runs.push({ delegationId, calls: new Map([[callId, undefined]]) });
    }
    this.sink.event(delegationId, { type: 'response.completed', response: { id: responseId, status: 'completed', output: [] } });
  }

  /** `response.item.create`: queues a `function_call_output` of a waiting call. */
  itemCreate(message: Record<string, unknown>): void {
    const item = asRecord(message['item']);
    const callId = item?.['call_id'];
    const output = item?.['output'];
    if (item?.['type'] !== 'function_call_output' || typeof callId !== 'string' || typeof output !== 'string') {
      return this.sink.error(
        'invalid_value',
        "response.item.create takes a function_call_output item with a string 'call_id' and 'output'.",
      );
    }
    const run = this.runs.find((candidate) => candidate.calls.has(callId));
    if (run === undefined) return this.sink.error('invalid_value', `No function call is waiting for call_id '${callId}'.`);
    if (run.calls.get(callId) !== undefined) return this.sink.error('invalid_value', `call_id '${callId}' already has an output.`);
    run.calls.set(callId, output);
  }

  /** `response.create`: continues the oldest run whose outputs are all queued, else `function_call_outputs_required`. */
  create(): void {
    const index = this.runs.findIndex((run) => [...run.calls.values()].every((output) => output !== undefined));
    if (index < 0) {
      return this.sink.error(
        'function_call_outputs_required',
        'response.create needs a function_call_output for every function call of the run; queue them with response.item.create first.',
      );
    }
    const [run] = this.runs.splice(index, 1) as [Run];
    const responseId = this.ids.next('resp');
    this.sink.event(run.delegationId, { type: 'response.created', response: { id: responseId, status: 'in_progress', output: [] } });
    this.sink.say([...run.calls.values()].join(' '));
    this.sink.event(run.delegationId, { type: 'response.completed', response: { id: responseId, status: 'completed', output: [] } });
  }
}
