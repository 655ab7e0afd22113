/** Per-thread scratch for one micro-batch of MB samples (see ops.ts for why MB at a time). */
import type { FlatLayout } from '../flat-layout.js';
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

  constructor(
    L: FlatLayout,
    readonly stride: number,
  ) {
    this.act = new Float64Array(MB * stride);
    this.dact = new Float64Array(MB * stride);
    this.rows = L.rowTables.map(() => new Int32Array(MB));
    this.tableOff = Int32Array.from(L.rowTables, (t) => t.off);
    this.tableWidth = Int32Array.from(L.rowTables, (t) => t.width);
    this.tableOfUsers = Uint8Array.from(L.rowTables, (t) => (t.rows === 'users' ? 1 : 0));
  }

  /** The slots' user and item ids, (MB). */
  private readonly uid = new Int32Array(MB);
  private readonly iid = new Int32Array(MB);

  /**
   * Loads samples [from, to) (at most MB) of parallel arrays; pads the tail with copies of the
   * last sample at weight 0, which contribute exactly zero to every gradient. The row offsets are
   * filled table by table with the MB slots written out: this runs once per 4 samples, and for
   * small models (MF, GMF) it is a good part of the work.
   */
  load(users: Int32Array, items: Int32Array, labels: Float32Array | null, from: number, to: number, w: number): void {
    const n = Math.min(to - from, MB);
    this.n = n;
    const { uid, iid, y, weight } = this;
    for (let s = 0; s < MB; s++) {
      const k = from + (s < n ? s : n - 1);
      uid[s] = users[k];
      iid[s] = items[k];
      y[s] = labels ? labels[k] : 0;
      weight[s] = s < n ? w : 0;
    }
    const rows = this.rows;
    for (let t = 0; t < rows.length; t++) {
      const r = rows[t];
      const off = this.tableOff[t];
      const width = this.tableWidth[t];
      const ids = this.tableOfUsers[t] ? uid : iid;
      r[0] = off + ids[0] * width;
      r[1] = off + ids[1] * width;
      r[2] = off + ids[2] * width;
      r[3] = off + ids[3] * width;
    }
  }
}
