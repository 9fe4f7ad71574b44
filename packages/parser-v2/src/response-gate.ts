/**
 * Response gating of V2 (spec 03): the server rejects `response.create` while a response is
 * active, so requests made meanwhile collapse into one that is sent when the response ends.
 *
 * State: `active` (a response is in progress, or one was just requested) and `pending` (one
 * request is owed). Both start false. Synchronous; not thread-shared (one per conversation).
 */
export class ResponseGate {
  private activeResponse = false;
  private pendingRequest = false;

  /**
   * @param sendCreate sends one `response.create` (called synchronously from {@link request} and
   *   {@link finished}).
   * @param deferred called once for every request that is deferred (collapsed into the pending one).
   */
  constructor(
    private readonly sendCreate: () => void,
    private readonly deferred: () => void,
  ) {}

  /** True while a response is in progress (or optimistically assumed to be). */
  get active(): boolean {
    return this.activeResponse;
  }

  /** True when one `response.create` is owed for when the active response ends. */
  get pending(): boolean {
    return this.pendingRequest;
  }

  /**
   * Asks for a response: when one is active, marks one as owed (several requests collapse into one)
   * and reports it as deferred; otherwise sends `response.create` now and becomes active at once
   * (optimistic: a second request before `response.created` is deferred).
   */
  request(): void {
    if (this.activeResponse) {
      this.pendingRequest = true;
      this.deferred();
      return;
    }
    this.activeResponse = true;
    this.sendCreate();
  }

  /** `response.created`: a response is active. */
  created(): void {
    this.activeResponse = true;
  }

  /** `response.done` / `response.cancelled`: no response is active; sends the owed request, if any. */
  finished(): void {
    this.activeResponse = false;
    if (!this.pendingRequest) return;
    this.pendingRequest = false;
    this.activeResponse = true;
    this.sendCreate();
  }

  /**
   * The server said a response is already active (the race): one is active and ours is owed, so
   * it is sent when that response ends.
   */
  race(): void {
    this.activeResponse = true;
    this.pendingRequest = true;
  }

  /** Forgets everything (the conversation ended). */
  reset(): void {
    this.activeResponse = false;
    this.pendingRequest = false;
  }
}
