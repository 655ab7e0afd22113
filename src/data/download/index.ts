/**
 * `downloadDataset`: fetch a MovieLens dataset into `${dataRoot}/${name}/`, verified, atomically.
 *
 * Order of work: download to a dot-named temp file in dataRoot → verify digests / line count →
 * extract (or, for plain files, download straight) into a dot-named staging folder → check
 * that the expected files are there → rename the staging folder into place. The final folder
 * therefore only ever appears complete; an interrupted run leaves only dot-named leftovers,
 * which the next run for the same dataset removes once their process is gone.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { NcfError } from '../../util/errors.js';
import { CATALOG, DOWNLOADABLE, type CatalogEntry, type DownloadableDataset, type FileCheck, type RemoteFile } from './catalog.js';
import { algorithmsFor, fetchToFile, manualHint, verifyDownload } from './fetch.js';
import { extractZip } from './unzip.js';

export { CATALOG, DOWNLOADABLE, isDownloadable } from './catalog.js';
export type { CatalogEntry, Checksum, DownloadableDataset, FileCheck, HashAlgorithm, RemoteFile } from './catalog.js';
export { extractZip } from './unzip.js';

export interface DownloadOptions {
  /** Replace the scheme+host+path prefix of every URL (tests point it at http://127.0.0.1:PORT/). */
  baseUrl?: string;
  /** Show a cli-progress bar on stderr (default: process.stderr.isTTY). */
  progress?: boolean;
  /**
   * Replace the catalog's verification of a file, keyed by its file name
   * (`'ml-100k.zip'`, `'ml-1m.test.rating'`, ...): a digest or a line count. Tests only.
   */
  checksumOverride?: Readonly<Record<string, FileCheck>>;
  /**
   * Accept files without verifying them (no digest, no line count): the CLI's
   * `--insecure-skip-checksum`. Without it, a file with no known checksum is refused.
   */
  skipChecksum?: boolean;
  /** Re-download even if the folder is complete (the old folder is replaced only on success). */
  force?: boolean;
}

/** Downloads `name` into `${dataRoot}/${name}/` and returns that folder. Idempotent: if all expected files are there, returns at once. */
export async function downloadDataset(name: DownloadableDataset, dataRoot: string, opts: DownloadOptions = {}): Promise<string> {
  const entry: CatalogEntry | undefined = (CATALOG as Partial<Record<string, CatalogEntry>>)[name];
  if (entry === undefined) {
    throw new NcfError(`Unknown dataset "${name}": can download ${DOWNLOADABLE.join(', ')}.`);
  }
  const root = path.resolve(dataRoot);
  const target = path.join(root, name);
  if (!opts.force && (await isComplete(target, entry.expectedFiles))) return target;

  await mkdir(root, { recursive: true });
  await removeStaleLeftovers(root, entry);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = path.join(root, `.${name}.partial-${tag}`);
  const tempFiles: string[] = [];
  await mkdir(staging);
  try {
    if (entry.kind === 'zip') {
      const file = entry.files[0];
      const zipPath = path.join(root, `.${file.fileName}.download-${tag}`);
      tempFiles.push(zipPath);
      const url = await fetchVerified(file, zipPath, opts);
      await extractZip(zipPath, staging, { stripTopFolder: true });
      await rm(zipPath, { force: true });
      await assertExpectedFiles(staging, entry, url);
    } else {
      for (const file of entry.files) await fetchVerified(file, path.join(staging, file.fileName), opts);
      await assertExpectedFiles(staging, entry, resolveUrl(entry.files[0], opts.baseUrl));
    }
    await moveIntoPlace(staging, target, root, name, tag, entry);
  } finally {
    await rm(staging, { recursive: true, force: true });
    for (const f of tempFiles) await rm(f, { force: true });
  }
  return target;
}

/** Downloads one file to `dest` and verifies it; returns the URL used. */
async function fetchVerified(file: RemoteFile, dest: string, opts: DownloadOptions): Promise<string> {
  const url = resolveUrl(file, opts.baseUrl);
  const override = opts.checksumOverride?.[file.fileName];
  const checks: readonly FileCheck[] = override !== undefined ? [override] : file.checks;
  if (checks.length === 0 && !opts.skipChecksum) {
    throw new NcfError(
      `No verified checksum is known for ${url}, so it is not downloaded unchecked. ` +
        `Pass --insecure-skip-checksum to accept it as is, or ${lowerFirst(manualHint(url))}`,
    );
  }
  const result = await fetchToFile(url, dest, {
    algorithms: opts.skipChecksum ? [] : algorithmsFor(checks),
    progress: opts.progress ?? process.stderr.isTTY === true,
    label: file.fileName,
  });
  if (!opts.skipChecksum) verifyDownload(url, result, checks);
  return url;
}

function resolveUrl(file: RemoteFile, baseUrl: string | undefined): string {
  if (baseUrl === undefined) return file.url;
  return new URL(file.fileName, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href;
}

async function isComplete(folder: string, expected: readonly string[]): Promise<boolean> {
  for (const f of expected) if (!(await exists(path.join(folder, f)))) return false;
  return true;
}

async function assertExpectedFiles(staging: string, entry: CatalogEntry, url: string): Promise<void> {
  const missing: string[] = [];
  for (const f of entry.expectedFiles) if (!(await exists(path.join(staging, f)))) missing.push(f);
  if (missing.length > 0) {
    throw new NcfError(`The download from ${url} lacks ${missing.join(', ')}, so it is not a usable ${entry.name}. ${manualHint(url)}`);
  }
}

/**
 * Renames `staging` to `target`. A folder already at `target` (incomplete, or `force`) is moved
 * aside first and deleted only after the new one is in place.
 */
async function moveIntoPlace(staging: string, target: string, root: string, name: string, tag: string, entry: CatalogEntry): Promise<void> {
  let aside: string | undefined;
  if (await exists(target)) {
    aside = path.join(root, `.${name}.old-${tag}`);
    await rename(target, aside);
  }
  try {
    await rename(staging, target);
  } catch (err) {
    // Another process finished the same download first: use its folder.
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await isComplete(target, entry.expectedFiles))) return;
    if (aside !== undefined) await rename(aside, target).catch(() => undefined);
    throw new NcfError(`Cannot move the downloaded ${name} into ${target}: ${(err as Error).message}`);
  } finally {
    if (aside !== undefined) await rm(aside, { recursive: true, force: true });
  }
}

/** Removes `.name.partial-PID-x`, `.file.download-PID-x`, `.name.old-PID-x` left by dead processes. */
async function removeStaleLeftovers(root: string, entry: CatalogEntry): Promise<void> {
  const stems = [entry.name, ...entry.files.map((f) => f.fileName)];
  const pattern = /^\.(.+)\.(?:partial|download|old)-(\d+)-[0-9a-f]{8}$/;
  for (const dirent of await readdir(root)) {
    const m = pattern.exec(dirent);
    if (m === null || !stems.includes(m[1])) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && !isAlive(pid)) await rm(path.join(root, dirent), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
