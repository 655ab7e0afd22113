import type { RatingColumns } from '../types.js';

/**
 * Appends rows to typed-array columns. When full, the columns grow by doubling — or by less, down to
 * 1/8, when the reader has said how far through the file it is (`setProgress`) and the projected
 * final row count is nearer. A 32M-row file then ends with a few % slack, not up to 100%.
 */
export class RatingColumnsBuilder implements RatingColumns {
  length = 0;
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
  timestamps: Uint32Array;
  private bytesDone = 0;
  private bytesTotal = 0;

  constructor(initialCapacity = 1 << 16) {
    const n = Math.max(1, initialCapacity);
    this.users = new Int32Array(n);
    this.items = new Int32Array(n);
    this.ratings = new Float32Array(n);
    this.timestamps = new Uint32Array(n);
  }

  get capacity(): number {
    return this.users.length;
  }

  push(user: number, item: number, rating: number, timestamp: number): void {
    const k = this.length;
    if (k === this.users.length) this.grow(this.nextCapacity());
    this.users[k] = user;
    this.items[k] = item;
    this.ratings[k] = rating;
    this.timestamps[k] = timestamp;
    this.length = k + 1;
  }

  /** Where the reader is in the file: used to project the final row count when growing. */
  setProgress(bytesDone: number, bytesTotal: number): void {
    this.bytesDone = bytesDone;
    this.bytesTotal = bytesTotal;
  }

  private nextCapacity(): number {
    const n = this.length;
    if (this.bytesDone <= 0 || this.bytesDone >= this.bytesTotal) return n * 2;
    const projected = Math.ceil(((n * this.bytesTotal) / this.bytesDone) * 1.02);
    return Math.min(n * 2, Math.max(Math.ceil(n * 1.125), projected));
  }

  private grow(capacity: number): void {
    const n = Math.max(capacity, this.length + 1);
    this.users = copyInto(new Int32Array(n), this.users, this.length);
    this.items = copyInto(new Int32Array(n), this.items, this.length);
    this.ratings = copyInto(new Float32Array(n), this.ratings, this.length);
    this.timestamps = copyInto(new Uint32Array(n), this.timestamps, this.length);
  }

  /** A plain RatingColumns (the arrays may keep some slack past `length`). */
  finish(): RatingColumns {
    return { length: this.length, users: this.users, items: this.items, ratings: this.ratings, timestamps: this.timestamps };
  }
}

function copyInto<T extends Int32Array | Float32Array | Uint32Array>(dst: T, src: T, length: number): T {
  dst.set(src.subarray(0, length));
  return dst;
}
