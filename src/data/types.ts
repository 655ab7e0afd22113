/**
 * Column-oriented rating tables: one typed array per column, never one JS object per row,
 * so ML-32M (32M rows) fits in a few hundred MB.
 */
export interface RatingColumns {
  /** Number of valid rows; the arrays may be longer (growth slack) but only [0, length) is data. */
  length: number;
  /** Original user ids as found in the file. */
  users: Int32Array;
  /** Original item (movie) ids as found in the file. */
  items: Int32Array;
  /** Rating values (0.5..5); 1 where the file has none. */
  ratings: Float32Array;
  /** Unix seconds; 0 where the file has none. Uint32 covers dates until 2106. */
  timestamps: Uint32Array;
}

/** One movie's metadata, keyed by original movie id. */
export interface MovieInfo {
  movieId: number;
  title: string;
  genres: string[];
}

/** He et al.'s NCF files, already split; ids are theirs (0-based, dense). */
export interface NcfFiles {
  train: RatingColumns;
  test: RatingColumns;
  /** Row-major (test.length × negativesPerUser) negatives, row k for test row k. */
  negatives: Int32Array;
  negativesPerUser: number;
}
