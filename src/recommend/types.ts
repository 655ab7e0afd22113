/** What `ncf recommend` and `ncf serve` answer: movies with titles, genres and scores, and how they were chosen. */

/**
 * How an answer was produced:
 *   model       the trained model's scores for a user it was trained on
 *   fold-in     a user embedding fitted to the given likes with every other weight frozen
 *   popularity  the most-interacted-with movies (cold start: unknown user, or too few likes)
 *   popularity+genres  popularity weighted by the genres of the liked movies
 */
export type RecommendMode = 'model' | 'fold-in' | 'popularity' | 'popularity+genres';

export interface Movie {
  /** MovieLens MovieID. */
  movieId: number;
  title: string;
  genres: string[];
}

export interface ScoredMovie extends Movie {
  /** Higher is better; for model and fold-in the model's logit, for popularity the (weighted) interaction count. */
  score: number;
}

export interface Recommendations {
  mode: RecommendMode;
  /** One line on why this mode, e.g. "user 9999 is not in the training data". */
  reason: string;
  /** The MovieLens UserID asked for, or null for an answer from likes. */
  user: number | null;
  /** The liked MovieIDs that were used, and those the model does not know (ignored). */
  likes: number[];
  unknownLikes: number[];
  items: ScoredMovie[];
  /** With `explain`: the user's most recent training movies, newest first (see recentBasis). */
  recent?: Movie[];
  /**
   * newest: by timestamp; model-score: the dataset has no timestamps (ml-1m-ncf), so the user's
   * training movies the model scores highest instead.
   */
  recentBasis?: 'newest' | 'model-score';
}

export interface RecommenderInfo {
  model: string;
  dataset: string;
  epoch: number;
  users: number;
  movies: number;
  /** Likes needed before fold-in is used instead of popularity (config recommend.minLikes). */
  minLikes: number;
}

/** The one object `ncf recommend` and `ncf serve` use; loading reads the model and its data once. */
export interface RecommenderApi {
  readonly info: RecommenderInfo;
  /** Top-k movies the user has not seen; an unknown user gets the cold-start answer, flagged by `mode`. */
  forUser(userId: number, k: number, opts?: { explain?: boolean }): Promise<Recommendations>;
  /** Top-k for a person who is not in the data, from MovieIDs they like (liked movies are excluded). */
  forLikes(movieIds: number[], k: number): Promise<Recommendations>;
  /** Movies whose title contains `query` (case-insensitive), most popular first. */
  searchMovies(query: string, limit: number): Movie[];
  close(): Promise<void>;
}

/** Limits the CLI and the API enforce. */
export const MAX_K = 100;
export const MAX_LIKES = 500;
