import type { Cancellable } from './clock.js';
import type { ClientMessage } from './protocol-strategy.js';
import type { RealtimeEvent } from './realtime-event.js';
import type { SessionCore } from './session-core.js';
import type { SessionInputLoop } from './session-input-loop.js';
import type { DelegationRequest, PolicyCounter, PolicyHandle } from './session-policy.js';

/**
 * The {@link PolicyHandle} a strategy's policy acts through (one per connection): sends go through
 * the input loop's `sendText` (in order with every other send), events through the conversation's
 * delivery, delegations to `delegationStarted` and the bound delegate (spec 04 "Delegation"), timers
 * on the injected clock (cancelled when the conversation ends or reconnects). After the end every
 * method does nothing. Internal to core.
 */
export function createPolicyHandle(core: SessionCore, loop: SessionInputLoop): PolicyHandle {
  const context = core.context;
  return {
    send: (message: ClientMessage, onError?: (error: Error) => boolean) => loop.sendText(JSON.stringify(message), onError),
    deliver: (event: RealtimeEvent) => core.deliver(event),
    route: (delegation: DelegationRequest) => route(core, delegation),
    schedule: (delayMs: number, callback: () => void) => schedule(core, delayMs, callback),
    transcript: core.transcript,
    count: (counter: PolicyCounter) => {
      core.stats[counter] += 1;
    },
    config: context.config,
    logger: context.logger,
    now: () => context.clock.now(),
    finishPending: () => core.inputs.finishPending,
    holdInputs: (held: boolean) => core.inputs.hold(held),
    end: (reason: 'requested' | 'transport_closed') => core.end(reason, undefined, undefined, true),
    tools: core.tools,
  };
}

/** Emits `delegationStarted` (counted), then hands the delegation to the delegate, if one is bound. */
function route(core: SessionCore, delegation: DelegationRequest): void {
  if (core.state !== 'running') return;
  core.stats.delegations += 1;
  core.emit({
    type: 'delegationStarted',
    handoffId: delegation.handoffId,
    text: delegation.text,
    transcript: delegation.transcript.map((entry) => ({ role: entry.role, text: entry.text })),
    steering: delegation.steering,
  });
  core.delegations.route(delegation);
}

/** A policy timer: fires (guarded) only while the conversation runs or closes; cancelled when it ends or reconnects. */
function schedule(core: SessionCore, delayMs: number, callback: () => void): Cancellable {
  if (core.state === 'ended') return { cancel: () => undefined };
  const timer = core.context.clock.setTimer(delayMs, () => {
    core.timers.delete(timer);
    if (!core.live) return;
    core.guard(callback);
  });
  core.timers.add(timer);
  return {
    cancel: () => {
      timer.cancel();
      core.timers.delete(timer);
    },
  };
}
