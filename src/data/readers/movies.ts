/**
 * Movie metadata (titles, genres) keyed by original movie id. These files are small (≤ 4 MB), so
 * they are read whole and split into strings; movies.csv goes through csv-parse for its quoting.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { MovieInfo } from '../types.js';
import { NcfError } from '../../util/errors.js';
import { fileSize, fsError, textLineError } from './lines.js';

/** The 19 genres of ML-100K in u.item's flag order (as in its u.genre). */
export const ML100K_GENRES: readonly string[] = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

const NO_GENRES = '(no genres listed)';
const MAX_ID = 0x7fffffff;

/**
 * - `ml-100k`: `u.item`, `id|title|release|video release|url|<one 0/1 flag per genre>`; genre names
 *   from `u.genre` beside it, else the fixed 19 ML-100K genres.
 * - `dat`: `movies.dat`, `MovieID::Title::Genres` with genres '|'-separated.
 * - `csv`: `movies.csv`, header `movieId,title,genres`, RFC 4180 quoting.
 * The .dat/u.item files are latin-1 (decoded as UTF-8 instead if they are valid UTF-8).
 */
export async function readMovies(path: string, layout: 'ml-100k' | 'dat' | 'csv'): Promise<Map<number, MovieInfo>> {
  switch (layout) {
    case 'ml-100k':
      return parseUItem(path, await readText(path), await readUGenre(join(dirname(path), 'u.genre')));
    case 'dat':
      return parseMoviesDat(path, await readText(path));
    case 'csv':
      return parseMoviesCsv(path, await readText(path));
    default:
      throw new NcfError(`unknown movies layout '${String(layout)}' (expected ml-100k, dat or csv)`);
  }
}

/** A whole small text file: UTF-8 if it is valid UTF-8 (BOM dropped), otherwise latin-1. */
export async function readText(path: string): Promise<string> {
  await fileSize(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw fsError(path, err);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes); // drops a BOM
  } catch {
    return bytes.toString('latin1');
  }
}

/** Calls `fn(line, lineNo)` for each non-blank line (CR stripped, 1-based numbers). */
function eachLine(text: string, fn: (line: string, lineNo: number) => void): void {
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k].endsWith('\r') ? lines[k].slice(0, -1) : lines[k];
    if (line.trim() === '') continue;
    fn(line, k + 1);
  }
}

function parseMovieId(path: string, lineNo: number, field: string, line: string): number {
  if (!/^\d+$/.test(field) || Number(field) > MAX_ID) {
    throw textLineError(path, lineNo, 'movie id is not a non-negative integer', line);
  }
  return Number(field);
}

function addMovie(movies: Map<number, MovieInfo>, movie: MovieInfo, path: string, lineNo: number, line: string): void {
  if (movies.has(movie.movieId)) throw textLineError(path, lineNo, `duplicate movie id ${movie.movieId}`, line);
  movies.set(movie.movieId, movie);
}

function splitGenres(field: string): string[] {
  const g = field.trim();
  if (g === '' || g === NO_GENRES) return [];
  return g.split('|');
}

/** u.genre (`name|index` per line), or the fixed ML-100K list when the file is absent. */
async function readUGenre(path: string): Promise<readonly string[]> {
  let text: string;
  try {
    text = await readText(path);
  } catch (err) {
    if (err instanceof NcfError && err.message === `${path} not found`) return ML100K_GENRES;
    throw err;
  }
  const names: string[] = [];
  eachLine(text, (line, lineNo) => {
    const bar = line.lastIndexOf('|');
    const index = bar < 0 ? '' : line.slice(bar + 1);
    if (bar <= 0 || !/^\d+$/.test(index)) throw textLineError(path, lineNo, 'expected "name|index"', line);
    if (Number(index) !== names.length) throw textLineError(path, lineNo, `expected genre index ${names.length}`, line);
    names.push(line.slice(0, bar));
  });
  if (names.length === 0) throw new NcfError(`${path}: no genres in the file`);
  return names;
}

export function parseUItem(path: string, text: string, genreNames: readonly string[]): Map<number, MovieInfo> {
  const movies = new Map<number, MovieInfo>();
  const fieldCount = 5 + genreNames.length;
  eachLine(text, (line, lineNo) => {
    const f = line.split('|');
    if (f.length !== fieldCount) {
      throw textLineError(path, lineNo, `expected ${fieldCount} '|'-separated fields (5 + ${genreNames.length} genre flags), found ${f.length}`, line);
    }
    const movieId = parseMovieId(path, lineNo, f[0], line);
    const genres: string[] = [];
    for (let g = 0; g < genreNames.length; g++) {
      const flag = f[5 + g];
      if (flag === '1') genres.push(genreNames[g]);
      else if (flag !== '0') throw textLineError(path, lineNo, `genre flag ${g + 1} is not 0 or 1`, line);
    }
    addMovie(movies, { movieId, title: f[1].trim(), genres }, path, lineNo, line);
  });
  return movies;
}

export function parseMoviesDat(path: string, text: string): Map<number, MovieInfo> {
  const movies = new Map<number, MovieInfo>();
  eachLine(text, (line, lineNo) => {
    // first and last "::" delimit the title, so a title containing "::" would still parse
    const a = line.indexOf('::');
    const b = line.lastIndexOf('::');
    if (a < 0 || b === a) throw textLineError(path, lineNo, 'expected 3 fields "MovieID::Title::Genres"', line);
    const movieId = parseMovieId(path, lineNo, line.slice(0, a), line);
    addMovie(movies, { movieId, title: line.slice(a + 2, b).trim(), genres: splitGenres(line.slice(b + 2)) }, path, lineNo, line);
  });
  return movies;
}

const CSV_HEADER = ['movieId', 'title', 'genres'];

export function parseMoviesCsv(path: string, text: string): Map<number, MovieInfo> {
  let rows: { info: { lines: number }; record: string[] }[];
  try {
    rows = parse(text, { info: true, skip_empty_lines: true, relax_column_count: true }) as unknown as typeof rows;
  } catch (err) {
    const lines = (err as { lines?: unknown }).lines;
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (typeof lines === 'number') throw textLineError(path, lines, msg, lineAt(text, lines));
    throw new NcfError(`${path}: ${msg}`);
  }
  const movies = new Map<number, MovieInfo>();
  if (rows.length === 0) throw new NcfError(`${path}: empty file, expected the header "${CSV_HEADER.join(',')}"`);
  const head = rows[0];
  if (head.record.join(',') !== CSV_HEADER.join(',')) {
    throw textLineError(path, head.info.lines, `bad header, expected "${CSV_HEADER.join(',')}"`, lineAt(text, head.info.lines));
  }
  for (let k = 1; k < rows.length; k++) {
    const { info, record } = rows[k];
    const fail = (what: string): NcfError => textLineError(path, info.lines, what, lineAt(text, info.lines));
    if (record.length !== 3) throw fail(`expected 3 fields, found ${record.length}`);
    const movieId = Number(record[0]);
    if (!/^\d+$/.test(record[0]) || movieId > MAX_ID) throw fail('movie id is not a non-negative integer');
    if (movies.has(movieId)) throw fail(`duplicate movie id ${movieId}`);
    movies.set(movieId, { movieId, title: record[1].trim(), genres: splitGenres(record[2]) });
  }
  return movies;
}

/** Line `lineNo` (1-based) of `text`, CR stripped; for error messages only. */
function lineAt(text: string, lineNo: number): string {
  const line = text.split('\n')[lineNo - 1] ?? '';
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
