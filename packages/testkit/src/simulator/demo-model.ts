/** What the demo model does with a user turn. */
export type DemoDecision = { kind: 'answer'; text: string } | { kind: 'handoff'; prompt: string };

/** Prefix Parley puts before a delegate's final message (`"Agent Final Message":` and two newlines). */
export const AGENT_FINAL_MESSAGE_PREFIX = '"Agent Final Message":\n\n';
/** Suffix Parley (v2) appends to a delegate's progress item. */
export const AGENT_PROGRESS_MARKER = "Update from background agent (task hasn't finished yet):";

const HANDOFF_WORDS = /agent|look up/i;

/** The default answer: repeats what the user said. */
export function defaultDemoAnswer(userText: string): string {
  const text = userText.trim();
  if (text.length === 0) return 'Sorry, I did not catch that.';
  return /[.!?]$/.test(text) ? `You said: ${text}` : `You said: ${text}.`;
}

/**
 * The deterministic stand-in for a speech model: it answers every user turn by `answer(text)`
 * (default {@link defaultDemoAnswer}) unless the text mentions "agent" or "look up"
 * (case-insensitive), in which case it delegates the request (the trimmed text) to the background
 * agent. Delegated results are spoken as given, without Parley's final-message prefix.
 */
export class DemoModel {
  constructor(private readonly answer: (userText: string) => string = defaultDemoAnswer) {}

  /** Answer or hand off `userText`. */
  decide(userText: string): DemoDecision {
    if (HANDOFF_WORDS.test(userText)) return { kind: 'handoff', prompt: userText.trim() };
    return { kind: 'answer', text: this.answer(userText) };
  }

  /** What to say for a delegate's output: the text without the final-message prefix. */
  resultSpeech(output: string): string {
    return output.startsWith(AGENT_FINAL_MESSAGE_PREFIX) ? output.slice(AGENT_FINAL_MESSAGE_PREFIX.length) : output;
  }

  /** Whether a user text is a delegate's progress update (context, never a request to answer). */
  isProgressUpdate(userText: string): boolean {
    return userText.endsWith(AGENT_PROGRESS_MARKER);
  }
}
