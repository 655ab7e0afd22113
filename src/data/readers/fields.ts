/**
 * Numbers parsed straight from bytes: no string per field, no parseFloat.
 *
 * `scanNumericFields` walks one line (a byte range) with a small state machine per field:
 *   [sign] digits [ '.' digits ]   then the separator or the end of the line.
 * Anything else makes that field NOT_A_NUMBER; the caller decides what to complain about.
 */

/** Kinds of a scanned field. */
export const INTEGER = 0;
export const DECIMAL = 1;
export const NOT_A_NUMBER = 2;

/** Returned instead of a field count when a two-byte separator appears as a single byte. */
export const BAD_SEPARATOR = -1;

/** Per-line scratch space, allocated once per file: values and kinds of up to `capacity` fields. */
export class FieldBuffer {
  readonly values: Float64Array;
  readonly kinds: Uint8Array;
  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
    this.kinds = new Uint8Array(capacity);
  }
}

const MINUS = 45;
const DOT = 46;
const D0 = 48;
const D9 = 57;

/**
 * Scans buf[start, end) as fields separated by `sep` repeated `sepLen` times (1, or 2 for "::").
 * Stores the first `out.capacity` fields in `out`; returns how many fields the line has (which may
 * exceed the capacity: the caller reports a wrong field count), or BAD_SEPARATOR.
 */
export function scanNumericFields(buf: Buffer, start: number, end: number, sep: number, sepLen: number, out: FieldBuffer): number {
  const values = out.values;
  const kinds = out.kinds;
  const capacity = out.capacity;
  let n = 0;
  let i = start;
  for (;;) {
    let negative = false;
    if (i < end && buf[i] === MINUS) {
      negative = true;
      i++;
    }
    let value = 0;
    let digits = 0;
    let kind = INTEGER;
    let c = 0;
    // integer part
    for (; i < end; i++) {
      c = buf[i];
      if (c < D0 || c > D9) break;
      value = value * 10 + (c - D0);
      digits++;
    }
    // fraction: accumulated as an integer and divided once, so "3.5" is exactly 3.5
    if (i < end && buf[i] === DOT) {
      kind = DECIMAL;
      i++;
      let frac = 0;
      let scale = 1;
      for (; i < end; i++) {
        c = buf[i];
        if (c < D0 || c > D9) break;
        frac = frac * 10 + (c - D0);
        scale *= 10;
        digits++;
      }
      value += frac / scale;
    }
    if (digits === 0) kind = NOT_A_NUMBER;
    // anything but the separator here spoils the field; skip to the separator
    if (i < end && buf[i] !== sep) {
      kind = NOT_A_NUMBER;
      while (i < end && buf[i] !== sep) i++;
    }
    if (n < capacity) {
      values[n] = negative ? -value : value;
      kinds[n] = kind;
    }
    n++;
    if (i >= end) return n;
    i++; // the separator
    if (sepLen === 2) {
      if (i < end && buf[i] === sep) i++;
      else return BAD_SEPARATOR; // a lone ':' where "::" belongs
    }
  }
}

/**
 * Parses an unsigned decimal integer in buf[start, end); returns -1 when the range is empty or
 * holds anything but digits (used for the "(user,item)" prefix of .test.negative lines).
 */
export function parseUint(buf: Buffer, start: number, end: number): number {
  if (start >= end) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c < D0 || c > D9) return -1;
    value = value * 10 + (c - D0);
  }
  return value;
}
