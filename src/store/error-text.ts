/** The useful part of a driver's error: a connection refused to every address is an AggregateError with no message of its own. */
export function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return [...new Set(err.errors.map(errorText))].join('; ');
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  if (err.message === '') return code ?? err.name;
  return code !== undefined && !err.message.includes(code) && /^E[A-Z]+$/.test(code) ? `${code} (${err.message})` : err.message;
}
