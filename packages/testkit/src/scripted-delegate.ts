import type { Clock, Delegation, DelegationTurn, HandoffDelegate } from '@parley/core';
import type { DelegateAction } from './scenario.js';

/**
 * The scenario runner's delegate: the k-th delegation plays the k-th reply list, each action
 * `afterMs` after the previous one (the first after the routing) on the given clock. Steering is
 * received and ignored. A list without `finish` leaves the turn open.
 */
export class ScriptedDelegate implements HandoffDelegate {
  private next = 0;

  constructor(
    private readonly replies: DelegateAction[][],
    private readonly clock: Clock,
  ) {}

  delegate(_delegation: Delegation, turn: DelegationTurn): Promise<void> {
    const actions = this.replies[this.next] ?? [];
    this.next += 1;
    return new Promise((resolve) => {
      const play = (index: number): void => {
        const action = actions[index];
        if (action === undefined || turn.signal.aborted) return;
        this.clock.setTimer(action.afterMs, () => {
          if (turn.signal.aborted) return;
          if ('output' in action) {
            void turn.output(action.output).then(() => play(index + 1));
          } else {
            void turn.finish().then(() => {
              resolve();
              play(index + 1);
            });
          }
        });
      };
      play(0);
    });
  }
}
