/**
 * The port the API uses to reach the run machinery without knowing how runs execute: embedded
 * (in `inlet serve`, the default) or a worker fleet. Routes record intent in the store (a flow
 * created or enabled, a run requested) and call `wake()` so due work is picked up at once rather
 * than at the next poll.
 */
export interface FlowRunner {
  /** Looks for due windows and queued runs now. Never throws; errors are logged by the runner. */
  wake(): void;
  start(): Promise<void>;
  /** Stops taking work and waits for runs in progress to finish or be released. */
  stop(): Promise<void>;
}

/** For processes that serve the API but run nothing (and for API tests that need no runs). */
export const idleFlowRunner: FlowRunner = {
  wake() {},
  async start() {},
  async stop() {},
};
