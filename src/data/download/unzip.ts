/**
 * Zip extraction with yauzl: strips the archive's single top folder (`ml-10M100K/ratings.dat`
 * → `ratings.dat`) and refuses entries that would land outside the destination (zip-slip).
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { NcfError } from '../../util/errors.js';

export interface ExtractOptions {
  /** Drop the first path segment when every entry shares it (default true). */
  stripTopFolder?: boolean;
}

/** Entries macOS adds to archives it builds; never part of a dataset. */
const IGNORED_PREFIX = '__MACOSX/';

/**
 * Extracts `zipPath` into the existing folder `destDir`; returns the extracted file paths,
 * relative to `destDir`, '/'-separated.
 */
export async function extractZip(zipPath: string, destDir: string, opts: ExtractOptions = {}): Promise<string[]> {
  const label = path.basename(zipPath);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch (err) {
    throw new NcfError(`Cannot open ${label} as a zip archive: ${errorMessage(err)}`);
  }
  try {
    const entries = (await listEntries(zip, label)).filter((e) => !e.fileName.startsWith(IGNORED_PREFIX));
    for (const e of entries) assertSafeEntryName(e.fileName, label);

    const prefix = opts.stripTopFolder === false ? '' : commonTopFolder(entries.map((e) => e.fileName));
    const root = path.resolve(destDir);
    const written: string[] = [];
    for (const entry of entries) {
      const relative = entry.fileName.slice(prefix.length);
      if (relative === '') continue; // the top folder itself
      const target = path.resolve(root, relative);
      if (!isInside(root, target)) throw unsafe(entry.fileName, label);
      if (relative.endsWith('/')) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(path.dirname(target), { recursive: true });
      const stream = await zip.openReadStreamPromise(entry);
      // 'wx': never write through something already there (a duplicate entry, a planted link).
      await pipeline(stream, createWriteStream(target, { flags: 'wx' }));
      written.push(relative);
    }
    return written;
  } catch (err) {
    if (err instanceof NcfError) throw err;
    throw new NcfError(`Cannot extract ${label}: ${errorMessage(err)}`);
  } finally {
    zip.close();
  }
}

/**
 * Throws unless `name` is a plain relative path: no absolute path, drive letter, backslash
 * or `..` segment. (yauzl checks this too; this is the second lock.)
 */
export function assertSafeEntryName(name: string, label: string): void {
  const segments = name.split('/');
  if (name === '' || name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.includes('\\') || name.includes('\0') || segments.includes('..')) {
    throw unsafe(name, label);
  }
}

/** "ml-100k/" when every entry sits under that one folder, else "". */
function commonTopFolder(names: readonly string[]): string {
  if (names.length === 0) return '';
  const first = names[0].split('/')[0];
  if (first === '') return '';
  const prefix = `${first}/`;
  return names.every((n) => n.startsWith(prefix) || n === first) ? prefix : '';
}

function listEntries(zip: yauzl.ZipFile, label: string): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (err: unknown) => {
      const message = errorMessage(err);
      // yauzl's own path validation: absolute path / invalid relative path / invalid characters.
      if (/^(absolute path|invalid relative path|invalid characters in fileName): /.test(message)) {
        reject(unsafe(message.slice(message.indexOf(': ') + 2), label));
      } else {
        reject(new NcfError(`Cannot read ${label}: ${message}`));
      }
    });
    zip.readEntry();
  });
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function unsafe(name: string, label: string): NcfError {
  return new NcfError(
    `Refusing to extract ${label}: entry ${JSON.stringify(name)} is an unsafe path (absolute or containing '..'). The archive is not a genuine MovieLens zip.`,
  );
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
