/** What a command may use to talk to the user; tests pass an in-memory one. */
export interface CliIo {
  /** Writes to stdout (no newline added). */
  out(text: string): void;
  /** Writes to stderr (no newline added). */
  err(text: string): void;
  /** True when stderr is a terminal: progress lines are drawn only then. */
  readonly isTty: boolean;
  /** `--debug` was given: print stacks of unexpected errors. */
  readonly debug: boolean;
  /** Aborted on SIGINT/SIGTERM: long commands stop cleanly and still report. */
  readonly signal: AbortSignal;
}

/** One `memoco` command. Names may have two words (`ts replay`, `runs show`). */
export interface CliCommand {
  readonly name: string;
  /** One line for `memoco --help`. */
  readonly summary: string;
  /** The full text for `memoco <name> --help`. */
  readonly help: string;
  /** Runs the command; returns the process exit code. Throws MemocoError for expected failures. */
  run(args: string[], io: CliIo): Promise<number>;
}
