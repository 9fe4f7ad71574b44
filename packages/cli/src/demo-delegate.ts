import type { Clock, Delegation, DelegationTurn, HandoffDelegate } from '@parley/core';

/** What the demo's built-in background agent answers (deterministic). */
export function demoAgentAnswer(request: string): string {
  const text = request.toLowerCase();
  if (text.includes('weather')) return 'It is 18 degrees and sunny in Paris, with a light breeze from the west.';
  return 'I looked into it, and it is done.';
}

/**
 * The demo's built-in background agent: after a short think it sends a progress message, then the
 * answer; steering is acknowledged in the answer. Timers use the injected clock.
 */
export class DemoDelegate implements HandoffDelegate {
  constructor(
    private readonly clock: Clock,
    private readonly thinkMs = 300,
  ) {}

  async delegate(delegation: Delegation, turn: DelegationTurn): Promise<void> {
    const steering: string[] = [];
    turn.onSteering((message) => steering.push(message.text));
    await this.sleep(this.thinkMs, turn.signal);
    await turn.output('Checking the weather service…');
    await this.sleep(this.thinkMs, turn.signal);
    const answer = demoAgentAnswer(delegation.text);
    await turn.output(steering.length > 0 ? `${answer} (Also noted: ${steering.join('; ')}.)` : answer);
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimer(ms, resolve);
      signal.addEventListener('abort', () => {
        timer.cancel();
        resolve();
      });
    });
  }
}
