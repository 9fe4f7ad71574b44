import { expect } from 'chai';
import fc from 'fast-check';
import type { ClientMessage, RealtimeTool } from '@parley/core';
import { LiveProtocolStrategy } from '../live-protocol-strategy.js';
import { liveResponseEventInfo } from '../live-response-events.js';
import { FakeLiveHandle, live } from './fake-live-handle.js';

/**
 * Responses mode under random interleavings (spec 08 "Responses mode", 09 §1): response events of
 * several delegation keys, calls of quick, slow, failing, background, declared and unknown tools,
 * cut-off calls, echoes, duplicates, application outputs, time on the virtual clock, and a close.
 * Through core's real tool runner. Checked: every call gets at most one `response.item.create`
 * (exactly one when the conversation is not closed first); every `response.create` belongs to a
 * batch that is complete (closed, every output already sent) and ended `completed` or is a call's
 * own batch, at most one per batch, and every such batch gets its one; nothing after `session.close`.
 */

const SEED = Number(process.env.PARLEY_FC_SEED ?? 20261130);
const RUNS = 300;

type Key = 'd1' | 'd2' | null;
const key: fc.Arbitrary<Key> = fc.constantFrom<Key>('d1', 'd2', null);
const NAMES = ['quick', 'slow', 'failing', 'background', 'declared', 'unknown'] as const;

type Step =
  | { kind: 'created'; key: Key }
  | { kind: 'call'; key: Key; name: (typeof NAMES)[number]; ms: number; complete: boolean }
  | { kind: 'echo'; back: number }
  | { kind: 'duplicate'; back: number }
  | { kind: 'done'; key: Key; status: 'completed' | 'failed' | 'incomplete' }
  | { kind: 'reasoning'; key: Key }
  | { kind: 'answer'; back: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'close' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('created' as const), key }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('call' as const),
      key,
      name: fc.constantFrom(...NAMES),
      ms: fc.integer({ min: 0, max: 600 }),
      complete: fc.integer({ min: 0, max: 7 }).map((roll) => roll !== 0),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('echo' as const), back: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), back: fc.nat(4) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('done' as const),
      key,
      status: fc.constantFrom('completed' as const, 'completed' as const, 'failed' as const, 'incomplete' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reasoning' as const), key }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('answer' as const), back: fc.nat(4) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 400 }) }) },
);

function tools(handle: FakeLiveHandle): RealtimeTool[] {
  const later = (ms: number, value: () => unknown): Promise<unknown> =>
    new Promise((resolve, reject) =>
      handle.clock.setTimer(ms, () => {
        try {
          resolve(value());
        } catch (error) {
          reject(error);
        }
      }),
    );
  const ms = (args: Record<string, unknown>): number => Number(args.ms ?? 0);
  const base = { description: '', parameters: { type: 'object' } };
  return [
    { ...base, name: 'quick', execute: (args) => later(ms(args), () => 'ok') },
    { ...base, name: 'slow', timeoutMs: 250, execute: (args) => later(ms(args), () => 'slow ok') },
    {
      ...base,
      name: 'failing',
      execute: (args) =>
        later(ms(args), () => {
          throw new Error('down');
        }),
    },
    { ...base, name: 'background', behavior: 'background', timeoutMs: 500, execute: (args) => later(ms(args), () => 'done later') },
  ];
}

const rev = (k: Key, event: Record<string, unknown>): Record<string, unknown> => ({ type: 'response.event', delegation_id: k, event });

interface Batch {
  calls: string[];
  closed: boolean;
  eligible: boolean;
  asked: number;
}

describe('live Responses mode: property (fast-check)', () => {
  it(`at most one output per call, exactly one unless closed; response.create only after every output of its complete batch, once (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 5, maxLength: 50 }),
        fc.option(fc.nat(50), { nil: undefined }),
        async (body, closeAt) => {
          const steps: Step[] = [...body];
          if (closeAt !== undefined) steps.splice(Math.min(closeAt, steps.length), 0, { kind: 'close' });
          const handle = new FakeLiveHandle({ realtime: { live: { delegation: 'responses', responses: { model: 'gpt-5' } } } });
          handle.withTools(tools(handle), [{ type: 'function', name: 'declared', parameters: { type: 'object' }, timeoutMs: 700 }]);
          handle.policy = new LiveProtocolStrategy(handle.config, handle.logger).createPolicy(handle, {
            instructions: '',
            voice: 'marin',
            model: 'gpt-live-1',
            outputModality: 'audio',
            mode: 'conversational',
            sessionId: undefined,
            tools: [],
          });
          handle.frame(0, live.started());

          let now = 0;
          let next = 0;
          let closed = false;
          const keyOf = new Map<string, Key>();
          const calls: { callId: string; key: Key; name: string }[] = [];
          const advance = async (to: number): Promise<void> => {
            await handle.settle();
            for (let due = handle.clock.nextDue(); due !== undefined && due <= to; due = handle.clock.nextDue()) {
              handle.clock.advanceTo(due);
              await handle.settle();
            }
            handle.clock.advanceTo(to);
            await handle.settle();
          };
          for (const current of steps) {
            switch (current.kind) {
              case 'created':
                handle.frame(now, rev(current.key, { type: 'response.created', response: { id: `resp_${(next += 1)}` } }));
                break;
              case 'call': {
                const callId = `call_${(next += 1)}`;
                keyOf.set(callId, current.key);
                calls.push({ callId, key: current.key, name: current.name });
                const item = {
                  id: `fc_${callId}`,
                  type: 'function_call',
                  status: current.complete ? 'completed' : 'incomplete',
                  call_id: callId,
                  name: current.name,
                  arguments: JSON.stringify({ ms: current.ms }),
                };
                handle.frame(now, rev(current.key, { type: 'response.output_item.done', item }));
                break;
              }
              case 'echo':
              case 'duplicate': {
                const call = calls[calls.length - 1 - current.back];
                if (call === undefined) break;
                const item = {
                  id: current.kind === 'echo' ? `fc_${call.callId}` : `other_${(next += 1)}`,
                  type: 'function_call',
                  call_id: call.callId,
                  name: call.name,
                  arguments: '{}',
                };
                handle.frame(now, rev(call.key, { type: 'response.output_item.done', item }));
                break;
              }
              case 'done':
                handle.frame(now, rev(current.key, { type: `response.${current.status}`, response: { id: 'resp_x' } }));
                break;
              case 'reasoning':
                handle.frame(now, rev(current.key, { type: 'response.output_item.done', item: { type: 'reasoning' } }));
                break;
              case 'answer': {
                const call = calls[calls.length - 1 - current.back];
                if (call === undefined || closed) break;
                try {
                  void handle.runner!.sendToolOutput(call.callId, 'manual');
                } catch {
                  // unknown, already answered: refused synchronously (09 §4), nothing queued
                }
                break;
              }
              case 'wait':
                now += current.ms;
                await advance(now);
                break;
              case 'close':
                if (!closed) {
                  closed = true;
                  await handle.close();
                }
                break;
            }
            await handle.settle();
          }
          // Every tool and timeout has had its time.
          now += 2000;
          await advance(now);

          // The reference: batches from what was delivered and sent, in record order.
          const open = new Map<Key, Batch>();
          const batches: Batch[] = [];
          const batchOf = new Map<string, Batch>();
          const outputs = new Map<string, number>();
          const admitted: string[] = [];
          let afterClose = false;
          const complete = (batch: Batch): boolean => batch.closed && batch.calls.every((callId) => outputs.has(callId));
          for (const record of handle.records) {
            if (record.kind === 'deliver') {
              const info = liveResponseEventInfo(record.event);
              const k = (info?.delegationId ?? null) as Key;
              if (record.event.type === 'responseCreated') {
                const previous = open.get(k);
                if (previous !== undefined) previous.closed = true;
                const batch: Batch = { calls: [], closed: false, eligible: false, asked: 0 };
                open.set(k, batch);
                batches.push(batch);
              } else if (record.event.type === 'responseDone') {
                const batch = open.get(k);
                open.delete(k);
                if (batch !== undefined) {
                  batch.closed = true;
                  batch.eligible = record.event.status === 'completed';
                }
              }
            } else if (record.kind === 'tool' && record.event.type === 'toolCall') {
              const callId = record.event.callId;
              admitted.push(callId);
              const k = keyOf.get(callId) as Key;
              let batch = open.get(k);
              if (batch === undefined) {
                batch = { calls: [], closed: true, eligible: true, asked: 0 };
                batches.push(batch);
              }
              batch.calls.push(callId);
              batchOf.set(callId, batch);
            } else if (record.kind === 'send') {
              const message = record.message as ClientMessage & { item?: { call_id?: string } };
              expect(afterClose, `nothing after session.close: ${JSON.stringify(message)}`).to.equal(false);
              if (message.type === 'session.close') afterClose = true;
              if (message.type === 'response.item.create') {
                const callId = message.item?.call_id as string;
                outputs.set(callId, (outputs.get(callId) ?? 0) + 1);
                expect(outputs.get(callId), `one output for ${callId}`).to.equal(1);
                expect(batchOf.has(callId), `${callId} was admitted before its output`).to.equal(true);
              }
              if (message.type === 'response.create') {
                const owner = batches.find((batch) => batch.asked === 0 && batch.eligible && batch.calls.length > 0 && complete(batch));
                expect(owner, `response.create at t=${record.t} has a complete batch whose outputs were all sent`).to.not.equal(undefined);
                owner!.asked += 1;
              }
            }
          }
          if (!closed) {
            for (const callId of admitted) expect(outputs.get(callId), `exactly one output for ${callId}`).to.equal(1);
            for (const batch of batches) {
              const owed = batch.eligible && batch.calls.length > 0 && complete(batch) ? 1 : 0;
              expect(batch.asked, `batch ${batch.calls.join(',')}`).to.equal(owed);
            }
          }
          expect(handle.interrupts).to.deep.equal([]);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
