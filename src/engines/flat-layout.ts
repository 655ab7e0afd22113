/**
 * One flat Float32 layout for parameters, gradients and optimizer moments, with named offsets
 * (the scratch engine's buffers and the fused WebGPU arena),
 * so the optimizer is one loop and a worker thread can share the buffers as they are. The order
 * is the model's paramSpecs order: its per-user and per-item tables first, then the dense
 * parameters.
 *
 * Shape letters used across the scratch engine:
 *   B batch, U users, I items, G GMF factors, E MLP embedding dim per side (= layers[0] / 2),
 *   H_l width of MLP layer l (H_0 = 2E), O = output-layer input width (G and/or H_last),
 *   F MF factors.
 */
import { sizeOf, type ModelShape } from '../core/model.js';
import { paramSpecs } from '../models/index.js';

/** A per-user or per-item table in the flat buffer: row r is [off + r·width, off + (r+1)·width). */
export interface RowTable {
  /** The parameter's name (gmf_user, user_bias, ...). */
  name: string;
  rows: 'users' | 'items';
  off: number;
  width: number;
  /** Its index in `rowTables`, and so in MicroBatch.rows. */
  slot: number;
}

export interface FlatLayout {
  shape: ModelShape;
  /** name → [offset, length], in paramSpecs order. */
  entries: [string, number, number][];
  /** Every per-user and per-item table, in paramSpecs order (the rows a sample reads). */
  rowTables: RowTable[];
  userTables: RowTable[];
  itemTables: RowTable[];
  /** Parameters from here on are dense (not table rows). */
  denseStart: number;
  total: number;
}

export function flatLayout(shape: ModelShape): FlatLayout {
  const entries: [string, number, number][] = [];
  const rowTables: RowTable[] = [];
  let off = 0;
  let denseStart = -1;
  for (const p of paramSpecs(shape)) {
    const n = sizeOf(p.shape);
    if (p.rows) {
      if (denseStart >= 0) throw new Error(`${shape.type}: table ${p.name} comes after a dense parameter; tables must come first`);
      rowTables.push({ name: p.name, rows: p.rows, off, width: n / (p.rows === 'users' ? shape.numUsers : shape.numItems), slot: rowTables.length });
    } else if (denseStart < 0) {
      denseStart = off;
    }
    entries.push([p.name, off, n]);
    off += n;
  }
  return {
    shape,
    entries,
    rowTables,
    userTables: rowTables.filter((t) => t.rows === 'users'),
    itemTables: rowTables.filter((t) => t.rows === 'items'),
    denseStart: denseStart < 0 ? off : denseStart,
    total: off,
  };
}

/** Offset of parameter `name` in the flat buffer. */
export function offsetOf(L: FlatLayout, name: string): number {
  const e = L.entries.find((x) => x[0] === name);
  if (!e) throw new Error(`${L.shape.type} has no parameter ${name}`);
  return e[1];
}

/** The row table `name`: its slot in MicroBatch.rows, offset and width. */
export function tableOf(L: FlatLayout, name: string): RowTable {
  const t = L.rowTables.find((x) => x.name === name);
  if (!t) throw new Error(`${L.shape.type} has no table ${name}`);
  return t;
}
