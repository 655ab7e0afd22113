/**
 * A user-facing error: the CLI prints its message as one line, without a stack trace,
 * and exits non-zero. The message should name the fix where there is one.
 */
export class NcfError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'NcfError';
  }
}
