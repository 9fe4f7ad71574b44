import { describeError } from './describe-error.js';

/** The message of a thrown value ({@link describeError}: safe for any value, never throws). */
export function messageOf(error: unknown): string {
  return describeError(error);
}
