/**
 * Movie metadata for ml-1m-ncf, which has none of its own: its item ids map to MovieLens MovieIDs
 * through item-map.tsv, and titles and genres come from a sibling ml-1m/movies.dat.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { textLineError } from './readers/lines.js';
import { readMovies } from './readers/index.js';
import { readText } from './readers/movies.js';
import type { MovieInfo } from './types.js';

export interface NcfMovies {
  /** Their item id → MovieID, or null without item-map.tsv. */
  movieIds: Map<number, number> | null;
  /** Their item id → the movie, or null without both files. */
  movies: Map<number, MovieInfo> | null;
  /** Where titles came from, or which files were missing. */
  note: string;
}

export async function readNcfMovies(dir: string): Promise<NcfMovies> {
  const mapPath = join(dir, 'item-map.tsv');
  const moviesPath = join(dir, '..', 'ml-1m', 'movies.dat');
  const movieIds = existsSync(mapPath) ? await readItemMap(mapPath) : null;
  const missing = [mapPath, moviesPath].filter((p) => !existsSync(p));
  if (movieIds === null || missing.length > 0) {
    return { movieIds, movies: null, note: `No titles or genres: ${missing.join(' and ')} not found (ml-1m-ncf has no movie metadata of its own).` };
  }
  const byMovieId = await readMovies(moviesPath, 'dat');
  const movies = new Map<number, MovieInfo>();
  for (const [item, movieId] of movieIds) {
    const movie = byMovieId.get(movieId);
    if (movie !== undefined) movies.set(item, movie);
  }
  return { movieIds, movies, note: `Titles and genres: ${moviesPath}, matched through ${mapPath}.` };
}

/** item-map.tsv: `ncfItemId<TAB>movieId` per line, after an optional header line. */
export async function readItemMap(path: string): Promise<Map<number, number>> {
  const map = new Map<number, number>();
  const lines = (await readText(path)).split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k].replace(/\r$/, '');
    if (line.trim() === '') continue;
    const m = /^(\d+)\t(\d+)$/.exec(line);
    if (m === null && k === 0) continue;
    if (m === null) throw textLineError(path, k + 1, 'expected "ncfItemId<TAB>movieId"', line);
    map.set(Number(m[1]), Number(m[2]));
  }
  return map;
}
