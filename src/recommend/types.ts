/** What `ncf recommend` and `ncf serve` answer: movies with titles, genres and scores, and how they were chosen. */
import type { ExploreStats } from '../data/explore.js';

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

/** A movie with how much it was watched in the training data. */
export interface MovieDetails extends Movie {
  /** Training interactions (the held-out ones not counted). */
  interactions: number;
  /** 1 for the most interacted-with movie; ties share the lower-id order of the popularity list. */
  popularityRank: number;
}

/** A MovieLens user's history as the model was trained on it. */
export interface UserHistory {
  user: number;
  /**
   * Every training movie: first the user's newest ones, newest first (`newestFirst` of them, the
   * RECENT_TRAIN that the split keeps in order; 0 where the files have no timestamps), then the
   * rest most popular first.
   */
  training: Movie[];
  newestFirst: number;
  /** The movie held out for evaluation (leave-one-out); null when the user has none. */
  heldOut: Movie | null;
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
  /** Movies whose title contains `query` (case-insensitive; '' matches all) and, with `genre`, that list it; most popular first. */
  searchMovies(query: string, limit: number, genre?: string): Movie[];
  /** One movie with its training interactions; null for a MovieID the model does not know. */
  movie(movieId: number): MovieDetails | null;
  /** Every genre the catalogue's movies list, alphabetically. */
  genres(): string[];
  /** A MovieLens user's training movies and held-out movie; null for a user not in the training data. */
  userHistory(userId: number): UserHistory | null;
  /** What the loaded model file records about itself (see model-card.ts). */
  modelCard(): ModelCard;
  /** The dataset's `ncf data explore` statistics, read from its files on the first call and kept. */
  dataStats(): Promise<ExploreStats>;
  close(): Promise<void>;
}

/** Limits the CLI and the API enforce. */
export const MAX_K = 100;
export const MAX_LIKES = 500;

/** A model card (made by model-card.ts): what a saved model file records about itself. */
export interface ProtocolScores {
  hr: number;
  ndcg: number;
  /** Users evaluated (those with a held-out movie). */
  users: number;
  /** Candidates ranked per user: 1 + the sampled negatives, or the mean unseen movies for full ranking. */
  candidates: number;
}

export interface ModelCard {
  /** The model file's path as `ncf serve` was given it. */
  file: string;
  model: {
    type: string;
    /** e.g. "NeuMF, 8 factors, MLP 64→32→16→8". */
    description: string;
    factors: number;
    layers: number[];
    parameters: number;
  };
  dataset: { name: string; users: number; movies: number };
  /** Epochs the saved weights were trained for, and the epochs the run asked for. */
  epoch: number;
  plannedEpochs: number;
  training: {
    engine: string;
    optimizer: string;
    lr: number;
    batchSize: number;
    /** Negatives sampled per positive. */
    negatives: number;
    seed: number;
    /** Sampling, training and evaluation time of the epochs up to `epoch`, in seconds; null when the file records no epoch. */
    seconds: number | null;
    /** The training steps alone. */
    trainSeconds: number | null;
  };
  /**
   * HR@k and NDCG@k of the epoch the file holds, under the sampled protocol (the held-out movie
   * among `candidates` − 1 sampled negatives) and full ranking (against every unseen movie); each
   * null where that epoch did not record it (e.g. eval.fullRanking "final" and a best-epoch file).
   */
  metrics: { k: number; epoch: number | null; sampled: ProtocolScores | null; full: ProtocolScores | null };
}
