/** The one clock the controller reads, injected so tests and the planner agree on "now". */
export interface Clock {
  /** Unix milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
