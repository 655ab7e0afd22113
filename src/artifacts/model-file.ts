/**
 * Model files: one file holding a JSON header (what the model is, how it was trained, where it
 * stopped) followed by float32 tensors (weights, then optimizer moments), and a checksum.
 *
 *   bytes 0..3   "NCFM"
 *   bytes 4..7   header length H (uint32 LE)
 *   bytes 8..    header JSON (utf-8), zero-padded to a multiple of 4
 *   then         float32 LE data; the header gives each tensor's offset and length in floats
 *   last 4       CRC32 (uint32 LE) of every byte before it (format version 2; version 1 files have none)
 *
 * Written to a temporary file, flushed, then renamed over the old one, so an interrupted write
 * never replaces the last good model.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import type { ModelShape, Weights } from '../core/model.js';
import type { OptimizerState } from '../core/training.js';
import { checkWeights } from '../models/weights.js';
import { NcfError } from '../util/errors.js';

const MAGIC = 'NCFM';
const VERSION = 2;
/** Files written before checksums: still read, with a warning. */
const UNCHECKED_VERSION = 1;

export interface ModelFile<Meta> {
  shape: ModelShape;
  /** Epochs completed. */
  epoch: number;
  /** Anything else the caller wants to keep (config, dataset, history). */
  meta: Meta;
  weights: Weights;
  optimizer: OptimizerState | null;
}

interface TensorEntry {
  name: string;
  offset: number;
  length: number;
}

interface Header<Meta> {
  format: 'ncf-model';
  version: number;
  shape: ModelShape;
  epoch: number;
  meta: Meta;
  weights: TensorEntry[];
  optimizer: { step: number; slots: TensorEntry[] } | null;
}

export function saveModel<Meta>(path: string, m: ModelFile<Meta>): void {
  checkWeights(m.shape, m.weights);
  let offset = 0;
  const place = (w: Weights): TensorEntry[] =>
    [...w].map(([name, v]) => {
      const e = { name, offset, length: v.length };
      offset += v.length;
      return e;
    });
  const header: Header<Meta> = {
    format: 'ncf-model',
    version: VERSION,
    shape: m.shape,
    epoch: m.epoch,
    meta: m.meta,
    weights: place(m.weights),
    optimizer: m.optimizer ? { step: m.optimizer.step, slots: place(m.optimizer.slots) } : null,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 4) * 4;
  const head = Buffer.alloc(8 + padded);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(padded, 4);
  json.copy(head, 8);

  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, head);
    let crc = crc32(head);
    const tensors = [...m.weights.values(), ...(m.optimizer ? m.optimizer.slots.values() : [])];
    for (const t of tensors) {
      const bytes = new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
      writeSync(fd, bytes);
      crc = crc32(bytes, crc);
    }
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32LE(crc, 0);
    writeSync(fd, trailer);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

export interface LoadOptions {
  /** Told when a file has no checksum (written before version 2); default: one line on stderr. */
  warn?: (message: string) => void;
}

export function loadModel<Meta>(path: string, o: LoadOptions = {}): ModelFile<Meta> {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    throw new NcfError(`model file ${path} not found`);
  }
  const bad = (why: string): NcfError => new NcfError(`${path} is not a readable ncf model file: ${why}`);
  const header = parseHeader<Meta>(buf, bad);
  let dataEnd = buf.length;
  if (header.version === VERSION) {
    dataEnd -= 4;
    if (dataEnd < 8 || crc32(buf.subarray(0, dataEnd)) !== buf.readUInt32LE(dataEnd)) {
      throw new NcfError(`${path} is damaged: its checksum does not match its contents (a truncated copy or flipped bytes); retrain it or copy it again`);
    }
  } else {
    (o.warn ?? warnOnStderr)(`${path} has no checksum (written by an older ncf), so damage to it cannot be detected; train it again to add one`);
  }
  const dataStart = 8 + buf.readUInt32LE(4);
  const floats = (dataEnd - dataStart) / 4;
  const read = (entries: TensorEntry[]): Weights => {
    const w: Weights = new Map();
    for (const e of entries) {
      if (e.offset + e.length > floats) throw bad('truncated data');
      const bytes = buf.subarray(dataStart + e.offset * 4, dataStart + (e.offset + e.length) * 4);
      w.set(e.name, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
    }
    return w;
  };
  const weights = read(header.weights);
  try {
    checkWeights(header.shape, weights);
  } catch (err) {
    throw bad((err as Error).message);
  }
  return {
    shape: header.shape,
    epoch: header.epoch,
    meta: header.meta,
    weights,
    optimizer: header.optimizer ? { step: header.optimizer.step, slots: read(header.optimizer.slots) } : null,
  };
}

/** A model file's header (what it is and how it was trained) without reading its tensors; null when there is no readable model at `path`. */
export function readModelHeader<Meta>(path: string): Pick<ModelFile<Meta>, 'shape' | 'epoch' | 'meta'> | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const start = Buffer.alloc(8);
    if (readSync(fd, start, 0, 8, 0) < 8 || start.toString('latin1', 0, 4) !== MAGIC) return null;
    const h = start.readUInt32LE(4);
    const buf = Buffer.alloc(8 + h);
    start.copy(buf);
    if (readSync(fd, buf, 8, h, 8) < h) return null;
    const header = parseHeader<Meta>(buf, (why) => new NcfError(why));
    return { shape: header.shape, epoch: header.epoch, meta: header.meta };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function parseHeader<Meta>(buf: Buffer, bad: (why: string) => NcfError): Header<Meta> {
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC) throw bad('wrong magic bytes');
  const h = buf.readUInt32LE(4);
  if (8 + h > buf.length) throw bad('truncated header');
  let header: Header<Meta>;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + h).replace(/\0+$/, '')) as Header<Meta>;
  } catch {
    throw bad('corrupt header');
  }
  if (header.format !== 'ncf-model' || (header.version !== VERSION && header.version !== UNCHECKED_VERSION)) {
    throw bad(`unsupported format version ${header.version}`);
  }
  return header;
}

function warnOnStderr(message: string): void {
  process.stderr.write(`ncf: warning: ${message}\n`);
}
