/** Per-thread scratch for one micro-batch of MB samples (see ops.ts for why MB at a time). */
import type { FlatLayout } from './layout.js';
import { MB } from './ops.js';

export class MicroBatch {
  /** Activations and their gradients, (MB, stride): one sample's activations per row. */
  readonly act: Float64Array;
  readonly dact: Float64Array;
  /** Logits and ∂loss/∂logit, (MB). */
  readonly z = new Float64Array(MB);
  readonly dz = new Float64Array(MB);
  /** Labels and loss weights, (MB); padding slots have weight 0. */
  readonly y = new Float64Array(MB);
  readonly weight = new Float64Array(MB);
  /** rows[t][s]: offset into P of sample s's row of the layout's row table t, (MB) each. */
  readonly rows: Int32Array[];
  /** Slots [0, n) hold real samples; the rest repeat the last one with weight 0. */
  n = 0;
  private readonly tableOff: Int32Array;
  private readonly tableWidth: Int32Array;
  private readonly tableOfUsers: Uint8Array;

  constructor(L: FlatLayout, readonly stride: number) {
    this.act = new Float64Array(MB * stride);
    this.dact = new Float64Array(MB * stride);
    this.rows = L.rowTables.map(() => new Int32Array(MB));
    this.tableOff = Int32Array.from(L.rowTables, (t) => t.off);
    this.tableWidth = Int32Array.from(L.rowTables, (t) => t.width);
    this.tableOfUsers = Uint8Array.from(L.rowTables, (t) => (t.rows === 'users' ? 1 : 0));
  }

  /** Puts (u, i) with label y and loss weight w into slot s. */
  set(s: number, u: number, i: number, y: number, w: number): void {
    const rows = this.rows;
    for (let t = 0; t < rows.length; t++) rows[t][s] = this.tableOff[t] + (this.tableOfUsers[t] ? u : i) * this.tableWidth[t];
    this.y[s] = y;
    this.weight[s] = w;
  }

  /**
   * Loads samples [from, to) (at most MB) of parallel arrays; pads the tail with copies of the
   * last sample at weight 0, which contribute exactly zero to every gradient.
   */
  load(users: Int32Array, items: Int32Array, labels: Float32Array | null, from: number, to: number, w: number): void {
    const n = Math.min(to - from, MB);
    this.n = n;
    for (let s = 0; s < MB; s++) {
      const k = from + (s < n ? s : n - 1);
      this.set(s, users[k], items[k], labels ? labels[k] : 0, s < n ? w : 0);
    }
  }
}
