import { ConversationManager, createParleyContainer, HandoffDelegate, type Delegation, type DelegationTurn } from '@parley/core';
import { parserV2Module } from '@parley/parser-v2';
import { wsTransportModule } from '@parley/transport-ws';

/** Your background agent (here a stand-in that answers at once). */
async function myAgent(request: string, options: { signal: AbortSignal }): Promise<string> {
  options.signal.throwIfAborted();
  return `Here is what I found about "${request}".`;
}

const container = createParleyContainer({ configOptions: { env: process.env }, modules: [parserV2Module, wsTransportModule] });
container.bind(HandoffDelegate).toConstantValue({
  async delegate(delegation: Delegation, turn: DelegationTurn) {
    turn.onSteering((steering) => console.log('steered:', steering.text)); // V2 only
    await turn.output(`Looking up: ${delegation.text}`); // progress (V2) / handoff.append (V1)
    await turn.output(await myAgent(delegation.text, { signal: turn.signal }));
  }, // the turn finishes when this promise settles; a rejection speaks "The background agent failed: …"
});
const conversation = container.get(ConversationManager);
await conversation.start({ instructions: 'Hand requests for facts to the background agent.' });
