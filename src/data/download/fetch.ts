/**
 * Streamed HTTP(S) download to a file: hashes and counts lines on the way, shows an optional
 * cli-progress bar on stderr, and turns every failure into a one-line NcfError.
 */
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Presets, SingleBar } from 'cli-progress';
import { NcfError } from '../../util/errors.js';
import type { FileCheck, HashAlgorithm } from './catalog.js';

/** Abort a download that delivers no bytes for this long (connecting included). */
const STALL_TIMEOUT_MS = 60_000;
const NEWLINE = 0x0a;

export interface FetchOptions {
  /** Digests to compute while streaming. */
  algorithms: readonly HashAlgorithm[];
  /** Show a progress bar on stderr. */
  progress: boolean;
  /** Shown in front of the bar. */
  label: string;
  stallTimeoutMs?: number;
}

export interface FetchResult {
  bytes: number;
  /** Lower-case hex digest per requested algorithm. */
  digests: Partial<Record<HashAlgorithm, string>>;
  /** Newline count, plus one if the file ends without a newline (as `wc -l` would, fixed). */
  lines: number;
}

/** The hint every download error ends with. */
export function manualHint(url: string): string {
  return `Download it yourself from ${url} and pass the unpacked folder with --data-dir (or data.dir in the config).`;
}

/** Streams `url` into `dest` (created or truncated). Rejects with NcfError on any failure. */
export async function fetchToFile(url: string, dest: string, opts: FetchOptions): Promise<FetchResult> {
  const controller = new AbortController();
  const stallMs = opts.stallTimeoutMs ?? STALL_TIMEOUT_MS;
  let stallTimer: NodeJS.Timeout | undefined;
  const armStallTimer = (): void => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => controller.abort(new Error(`no data received for ${Math.round(stallMs / 1000)} s`)), stallMs);
  };

  armStallTimer();
  let response: Response;
  try {
    response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
  } catch (err) {
    clearTimeout(stallTimer);
    throw new NcfError(`Cannot download ${url}: ${describeFetchError(err, controller.signal)}. ${manualHint(url)}`);
  }
  if (!response.ok || response.body === null) {
    clearTimeout(stallTimer);
    await response.body?.cancel().catch(() => undefined);
    const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    throw new NcfError(`Cannot download ${url}: ${status}. ${manualHint(url)}`);
  }

  const lengthHeader = response.headers.get('content-length');
  const expectedBytes = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  const hashes = new Map<HashAlgorithm, Hash>(opts.algorithms.map((a) => [a, createHash(a)]));
  const bar = opts.progress ? startBar(opts.label, expectedBytes) : undefined;

  let bytes = 0;
  let newlines = 0;
  let lastByte = NEWLINE;
  const file = await open(dest, 'w');
  try {
    for await (const chunk of response.body) {
      armStallTimer();
      await file.write(chunk);
      for (const h of hashes.values()) h.update(chunk);
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === NEWLINE) newlines++;
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1];
      bytes += chunk.length;
      bar?.update(bytes, { done: mb(bytes) });
    }
  } catch (err) {
    throw new NcfError(`Download of ${url} was interrupted after ${mb(bytes)} MB: ${describeFetchError(err, controller.signal)}. ${manualHint(url)}`);
  } finally {
    clearTimeout(stallTimer);
    bar?.stop();
    await file.close();
  }
  if (expectedBytes !== undefined && bytes !== expectedBytes) {
    throw new NcfError(`Download of ${url} is truncated: got ${bytes} of ${expectedBytes} bytes. Try again, or ${lowerFirst(manualHint(url))}`);
  }

  const digests: Partial<Record<HashAlgorithm, string>> = {};
  for (const [algorithm, h] of hashes) digests[algorithm] = h.digest('hex');
  return { bytes, digests, lines: newlines + (lastByte === NEWLINE ? 0 : 1) };
}

/**
 * Checks a download against its expected digests / line count; throws a one-line NcfError
 * naming what was expected, what was got, and the URL.
 */
export function verifyDownload(url: string, result: FetchResult, checks: readonly FileCheck[]): void {
  for (const check of checks) {
    if ('lineCount' in check) {
      if (result.lines !== check.lineCount) {
        throw new NcfError(
          `Line-count check failed for ${url}: expected ${check.lineCount} lines, got ${result.lines}. ` +
            `The download is corrupt or the file changed upstream. ${manualHint(url)}`,
        );
      }
      continue;
    }
    const got = result.digests[check.algorithm];
    if (got === undefined) throw new Error(`internal: ${check.algorithm} was not computed for ${url}`);
    if (got !== check.hex.toLowerCase()) {
      throw new NcfError(
        `${check.algorithm} checksum mismatch for ${url}: expected ${check.hex.toLowerCase()}, got ${got}. ` +
          `The download is corrupt or the file changed upstream. ${manualHint(url)}`,
      );
    }
  }
}

/** The digest algorithms that `checks` need. */
export function algorithmsFor(checks: readonly FileCheck[]): HashAlgorithm[] {
  const out = new Set<HashAlgorithm>();
  for (const c of checks) if ('algorithm' in c) out.add(c.algorithm);
  return [...out];
}

function startBar(label: string, total: number | undefined): SingleBar {
  const format = total === undefined ? `${label} {done} MB` : `${label} [{bar}] {percentage}% | {done}/{size} MB | ETA {eta_formatted}`;
  const bar = new SingleBar({ format, stream: process.stderr, hideCursor: true, etaBuffer: 50, fps: 10 }, Presets.shades_classic);
  bar.start(total ?? 0, 0, { done: mb(0), size: mb(total ?? 0) });
  return bar;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** "ECONNREFUSED", "CERT_HAS_EXPIRED", "no data received for 60 s", ...: the cause, not "fetch failed". */
function describeFetchError(err: unknown, signal: AbortSignal): string {
  if (signal.aborted && signal.reason instanceof Error) return signal.reason.message;
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    // AggregateError (several addresses tried) keeps the useful part in its members.
    const inner = cause instanceof AggregateError && cause.errors[0] instanceof Error ? cause.errors[0] : undefined;
    const innerCode = inner ? (inner as NodeJS.ErrnoException).code : undefined;
    const message = cause.message || inner?.message || err.message;
    const c = code ?? innerCode;
    return c !== undefined && !message.includes(c) ? `${c} (${message})` : message;
  }
  return err.message;
}
