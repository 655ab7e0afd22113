/**
 * Low-level line streaming over raw bytes, shared by the numeric readers.
 *
 * Why not readline or csv-parse: both turn every line into JS strings (csv-parse into an array of
 * strings per row). At ML-32M's 32M rows that is ~100M short-lived strings — tens of seconds and
 * a lot of GC. Here a line is only a byte range (buf, start, end) inside a read chunk; callers
 * parse numbers straight from those bytes (see fields.ts) and keep nothing per line.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { NcfError } from '../../util/errors.js';

/** Called once per non-blank line; `end` excludes the newline and a trailing '\r'. lineNo is 1-based. */
export type LineHandler = (buf: Buffer, start: number, end: number, lineNo: number) => void;

export interface LineStreamOptions {
  /** Read chunk size in bytes (tests use tiny chunks to force lines across chunk boundaries). */
  chunkSize?: number;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/** 1 MiB chunks: few enough for negligible per-chunk overhead, small enough to stay cache-friendly. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** Size of the file at `path`, or an NcfError `<path> not found` (or why it cannot be read). */
export async function fileSize(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new NcfError(`${path} is not a file`);
    return s.size;
  } catch (err) {
    if (err instanceof NcfError) throw err;
    throw fsError(path, err);
  }
}

/**
 * Streams `path` and calls `onLine` for every non-blank line (blank or whitespace-only lines are
 * skipped wherever they are, but still counted in line numbers). Handles LF and CRLF, a missing
 * final newline, a UTF-8 byte-order mark, and lines split across chunks. Returns the number of
 * lines in the file. An exception thrown by `onLine` stops the read and propagates.
 */
export async function forEachLine(path: string, onLine: LineHandler, options: LineStreamOptions = {}): Promise<number> {
  const bytesTotal = await fileSize(path);
  const stream = createReadStream(path, { highWaterMark: options.chunkSize ?? DEFAULT_CHUNK_SIZE });
  let lineNo = 0;
  let bytesDone = 0;
  /** Bytes of a line whose end has not been read yet (the partial tail of the previous chunk). */
  let carry: Buffer | null = null;

  const emit = (buf: Buffer, start: number, end: number): void => {
    lineNo++;
    if (lineNo === 1 && end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) {
      start += 3; // UTF-8 byte-order mark
    }
    if (end > start && buf[end - 1] === CR) end--;
    if (end === start) return;
    const c = buf[start];
    if ((c === SPACE || c === TAB) && isBlank(buf, start, end)) return;
    onLine(buf, start, end, lineNo);
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesDone += chunk.length;
      const buf = chunk;
      let pos = 0;
      if (carry !== null) {
        const nl = buf.indexOf(LF);
        if (nl < 0) {
          carry = Buffer.concat([carry, buf]);
          options.onProgress?.(bytesDone, bytesTotal);
          continue;
        }
        // Only the straddling line is copied, never the whole chunk.
        const joined = Buffer.concat([carry, buf.subarray(0, nl)]);
        carry = null;
        emit(joined, 0, joined.length);
        pos = nl + 1;
      }
      for (;;) {
        const nl = buf.indexOf(LF, pos);
        if (nl < 0) break;
        emit(buf, pos, nl);
        pos = nl + 1;
      }
      if (pos < buf.length) carry = buf.subarray(pos);
      options.onProgress?.(bytesDone, bytesTotal);
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof NcfError) throw err;
    throw fsError(path, err);
  }
  if (carry !== null) emit(carry, 0, carry.length);
  return lineNo;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== SPACE && c !== TAB && c !== CR) return false;
  }
  return true;
}

/** Maps a filesystem error to a one-line NcfError. */
export function fsError(path: string, err: unknown): NcfError {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return new NcfError(`${path} not found`);
  if (code === 'EACCES' || code === 'EPERM') return new NcfError(`${path}: permission denied`);
  if (code === 'EISDIR') return new NcfError(`${path} is not a file`);
  const msg = err instanceof Error ? err.message : String(err);
  return new NcfError(`cannot read ${path}: ${msg.split('\n')[0]}`);
}

/** Longest line excerpt quoted in an error message. */
const EXCERPT_CHARS = 80;

/** Quotes a line for an error message: latin-1 decoded (any bytes show), truncated, JSON-escaped. */
export function quoteLine(text: string): string {
  const t = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
  return JSON.stringify(t);
}

/** `<path>:<lineNo>: <what>: "<line>"` as a one-line NcfError. */
export function lineError(path: string, lineNo: number, what: string, buf: Buffer, start: number, end: number): NcfError {
  const text = buf.toString('latin1', start, Math.min(end, start + EXCERPT_CHARS + 1));
  return new NcfError(`${path}:${lineNo}: ${what}: ${quoteLine(text)}`);
}

/** The same for a line already decoded to a string (small text files). */
export function textLineError(path: string, lineNo: number, what: string, line: string): NcfError {
  return new NcfError(`${path}:${lineNo}: ${what}: ${quoteLine(line)}`);
}
