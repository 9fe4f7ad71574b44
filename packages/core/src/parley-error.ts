/** Stable error codes of Parley; match on `error.code`, never on the message. */
export type ParleyErrorCode =
  | 'ERR_NOT_RUNNING'
  | 'ERR_UNKNOWN_PROTOCOL'
  | 'ERR_INVALID_CONFIG'
  | 'ERR_INVALID_SESSION'
  | 'ERR_INVALID_AUDIO'
  | 'ERR_INVALID_TEXT'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_MISSING_API_KEY'
  | 'ERR_INSECURE_URL'
  | 'ERR_UNSUPPORTED'
  | 'ERR_UNSUPPORTED_URL'
  | 'ERR_CONNECT_TIMEOUT'
  | 'ERR_HANDSHAKE_FAILED'
  | 'ERR_CONNECT_FAILED'
  | 'ERR_CONNECTION_LOST'
  | 'ERR_PAYLOAD_TOO_LARGE'
  | 'ERR_SEND_FAILED'
  | 'ERR_BINARY_FRAME'
  | 'ERR_SERVER_ERROR'
  | 'ERR_START_ABORTED'
  | 'ERR_DELEGATE_FAILED'
  | 'ERR_POLICY_FAILED'
  | 'ERR_UNKNOWN_TOOL_CALL'
  | 'ERR_TOOL_CALL_ANSWERED'
  | 'ERR_TOOL_TIMEOUT'
  | 'ERR_TOOL_CANCELLED'
  | 'ERR_CONVERSATION_ENDED'
  | 'ERR_START_TIMEOUT';

/** The message of {@link ParleyErrorCode} `ERR_NOT_RUNNING`, exactly as spec 05 traces it. */
export const NOT_RUNNING_MESSAGE = 'conversation is not running';

/** A typed error with a stable `code`. Messages say what went wrong and what to do. */
export class ParleyError extends Error {
  /** The stable code. */
  readonly code: ParleyErrorCode;

  constructor(code: ParleyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ParleyError';
    this.code = code;
  }

  /** The error for any call other than `close()` when no conversation is running. */
  static notRunning(): ParleyError {
    return new ParleyError('ERR_NOT_RUNNING', NOT_RUNNING_MESSAGE);
  }
}

/** True when `value` is a {@link ParleyError}, optionally with the given code. */
export function isParleyError(value: unknown, code?: ParleyErrorCode): value is ParleyError {
  return value instanceof ParleyError && (code === undefined || value.code === code);
}
