/** Both drivers return timestamptz as a Date; the store hands out ISO strings. */
export function isoTime(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
