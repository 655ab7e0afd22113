/** A report folder's time stamp, e.g. 20261122-201640 (UTC, sorts by time). */
export function runStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
