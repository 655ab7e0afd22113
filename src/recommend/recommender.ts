/**
 * Loads a model file and its dataset once, then answers: top-k unseen movies for a known user
 * (the model's scores), for a set of liked movies (fold-in, see fold-in.ts), or the cold-start
 * fallback (popularity, shaped by the liked movies' genres) with the reason in every answer.
 */
import type { ModelMeta } from '../artifacts/meta.js';
import { loadModelWithData } from '../artifacts/model-data.js';
import { ItemPop } from '../baselines/item-pop.js';
import type { ModelShape } from '../core/model.js';
import { NO_OPTIMIZER } from '../core/training.js';
import { engineChoice, engineFor, type EngineChoice } from '../config/engine.js';
import { DEFAULTS, type Config } from '../config/schema.js';
import type { DatasetName } from '../data/datasets.js';
import type { ExploreStats } from '../data/explore.js';
import { exploreDataset } from '../data/explore-files.js';
import { originalIds } from '../data/original-ids.js';
import { RECENT_TRAIN, type SplitData } from '../data/split.js';
import type { MovieInfo } from '../data/types.js';
import type { Engine } from '../engines/index.js';
import { evalCandidates } from '../eval/protocols.js';
import { modelDef } from '../models/index.js';
import { NcfError } from '../util/errors.js';
import { Progress } from '../util/progress.js';

import { FOLD_IN, FoldIn } from './fold-in.js';
import { modelCard } from './model-card.js';
import {
  MAX_K,
  MAX_LIKES,
  type ModelCard,
  type Movie,
  type MovieDetails,
  type Recommendations,
  type RecommenderApi,
  type RecommenderInfo,
  type ScoredMovie,
  type UserHistory,
} from './types.js';

export interface LoadOptions {
  /** Overrides the data folder recorded in the model file. */
  dataDir?: string | null;
  progress?: Progress;
  /** Fewer likes (or training movies) than this get the popularity fallback instead of the model. */
  minLikes?: number;
  /**
   * Rank every known user's top MAX_K movies at load (for `ncf serve`), when users × movies is at
   * most PRECOMPUTE_MAX_PAIRS; requests for known users are then a lookup.
   */
  precompute?: boolean;
  /** The engine that scores and folds in, with its settings: the config's `engine` and section; default DEFAULTS' (scratch). */
  engine?: EngineChoice;
}

/** ML-1M has 22 million (user, movie) pairs: about 6 s to rank them all on 2 threads here. */
export const PRECOMPUTE_MAX_PAIRS = 100_000_000;

export async function loadRecommender(modelPath: string, opts: LoadOptions = {}): Promise<Recommender> {
  const { file: f, config: c, dir, data } = await loadModelWithData(modelPath, opts.dataDir ?? null, opts.progress ?? new Progress(false));
  const catalog = await catalogOf(c.data.dataset, data, dir);
  checkIds(modelPath, f.meta.ids, catalog, dir);
  // The engine comes from the options, not from the model's training config: a model trained on a GPU is served on the CPU.
  const serving: Config = { ...c, ...(opts.engine ?? engineChoice(DEFAULTS)) };
  const makeEngine = (shape: ModelShape): Promise<Engine> => engineFor(serving, shape, NO_OPTIMIZER);
  const engine = await makeEngine(f.shape);
  await engine.setWeights(f.weights);
  const ials = modelDef(f.shape.type).fit === 'least-squares' ? { settings: c.ials, itemPositives: new ItemPop(data.train).counts } : undefined;
  const foldIn = await FoldIn.create(f.shape, f.weights, makeEngine, FOLD_IN, ials);
  const info: RecommenderInfo = {
    model: modelPath,
    dataset: c.data.dataset,
    epoch: f.epoch,
    users: data.numUsers,
    movies: data.numItems,
    minLikes: opts.minLikes ?? c.recommend?.minLikes ?? DEFAULTS.recommend.minLikes,
  };
  const source = { card: modelCard(modelPath, f), dataset: c.data.dataset, dir };
  const rec = new Recommender(info, data, catalog, engine, foldIn, c.seed, evalCandidates(c, data), source);
  if (opts.precompute && data.numUsers * data.numItems <= PRECOMPUTE_MAX_PAIRS) await rec.precompute(opts.progress ?? new Progress(false));
  return rec;
}

/** Where a recommender's model and data came from: for the model card and the data dashboard. */
export interface RecommenderSource {
  card: ModelCard;
  dataset: DatasetName;
  /** The dataset's folder. */
  dir: string;
}

/** Dense ids ↔ MovieLens ids, and each dense item's movie. */
export interface Catalog {
  userIds: Int32Array;
  itemIds: Int32Array;
  movies: (MovieInfo | undefined)[];
}

async function catalogOf(dataset: DatasetName, data: SplitData, dir: string): Promise<Catalog> {
  const ids = await originalIds(dataset, data, dir);
  if (ids.items === null) throw new NcfError(`${dir}/item-map.tsv not found: ml-1m-ncf's item ids cannot be turned into MovieIDs without it`);
  return { userIds: ids.users, itemIds: ids.items, movies: data.movies ?? [] };
}

/** The model file's recorded ids must be the data's: otherwise its rows belong to other users and movies. */
function checkIds(modelPath: string, recorded: ModelMeta['ids'], catalog: Catalog, dir: string): void {
  if (!recorded) return;
  const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
    a.length === b.length && Array.prototype.every.call(a, (x: number, k: number) => x === b[k]);
  if (!same(recorded.users, catalog.userIds) || (recorded.items && !same(recorded.items, catalog.itemIds))) {
    throw new NcfError(`${modelPath} was trained on other user or movie ids than ${dir} holds (a different copy or version of the dataset)`);
  }
}

export class Recommender implements RecommenderApi {
  private readonly userIndex = new Map<number, number>();
  private readonly itemIndex = new Map<number, number>();
  /** Training interactions per item. */
  readonly popularity: Float32Array;
  /** 0 … numItems − 1: every candidate, made once (scoring a user takes them all). */
  private readonly items: Int32Array;
  private readonly byPopularity: Int32Array;
  /** (U × MAX_K) each user's best unseen items and their logits, best first, when precomputed. */
  private ranked: { items: Int32Array; scores: Float32Array } | null = null;
  /** Fold-in changes the engine's extra row: one request at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private stats: Promise<ExploreStats> | null = null;

  constructor(
    readonly info: RecommenderInfo,
    private readonly data: SplitData,
    private readonly catalog: Catalog,
    private readonly engine: Engine,
    private readonly foldIn: FoldIn,
    private readonly seed: number,
    /** The sampled protocol's negatives (U × n), as training evaluated with. */
    private readonly candidates: { negatives: Int32Array; n: number },
    private readonly source: RecommenderSource,
  ) {
    for (const [u, id] of catalog.userIds.entries()) this.userIndex.set(id, u);
    for (const [i, id] of catalog.itemIds.entries()) this.itemIndex.set(id, i);
    this.popularity = new ItemPop(data.train).counts;
    this.items = Int32Array.from({ length: data.numItems }, (_, i) => i);
    this.byPopularity = Int32Array.from({ length: data.numItems }, (_, i) => i).sort((a, b) => this.popularity[b] - this.popularity[a] || a - b);
  }

  async forUser(userId: number, k: number, opts: { explain?: boolean } = {}): Promise<Recommendations> {
    checkK(k);
    const u = this.userIndex.get(userId);
    const base = { user: userId, likes: [], unknownLikes: [] };
    if (u === undefined) {
      return {
        ...base,
        mode: 'popularity',
        reason: `user ${userId} is not in the training data: the most popular movies`,
        items: this.popular(new Set(), k, null),
      };
    }
    const seen = this.trainingItems(u);
    if (seen.length < this.info.minLikes) {
      return {
        ...base,
        mode: 'popularity+genres',
        items: this.popular(new Set(seen), k, seen),
        reason: `user ${userId} has ${seen.length} training movies (fewer than ${this.info.minLikes}): popular movies in the genres they watched`,
      };
    }
    const reason = `the model's scores for user ${userId} (${seen.length} training movies)`;
    if (this.ranked && !opts.explain) {
      const from = u * MAX_K;
      const { items: ids, scores } = this.ranked;
      const items: ScoredMovie[] = [];
      for (let r = from; r < from + k && ids[r] >= 0; r++) items.push({ ...this.movieOf(ids[r]), score: round(scores[r]) });
      return { ...base, mode: 'model', reason, items };
    }
    const scores = await this.userScores(u);
    const result: Recommendations = { ...base, mode: 'model', reason, items: this.topK(scores, new Set(seen), k) };
    if (opts.explain) Object.assign(result, this.explain(u, seen, scores));
    return result;
  }

  async forLikes(movieIds: number[], k: number): Promise<Recommendations> {
    checkK(k);
    if (movieIds.length > MAX_LIKES) throw new NcfError(`at most ${MAX_LIKES} liked movies, got ${movieIds.length}`);
    const known: number[] = [];
    const unknownLikes: number[] = [];
    const dense: number[] = [];
    for (const id of new Set(movieIds)) {
      const i = this.itemIndex.get(id);
      if (i === undefined) unknownLikes.push(id);
      else {
        known.push(id);
        dense.push(i);
      }
    }
    const base = { user: null, likes: known, unknownLikes };
    const liked = new Set(dense);
    if (dense.length < this.info.minLikes) {
      const mode = dense.length > 0 ? 'popularity+genres' : 'popularity';
      const reason = `${dense.length} known liked movies (fewer than ${this.info.minLikes}): ${dense.length > 0 ? 'popular movies in their genres' : 'the most popular movies'}`;
      return { ...base, mode, reason, items: this.popular(liked, k, dense.length > 0 ? dense : null) };
    }
    const likes = Int32Array.from(dense);
    const scores = await this.serially(() => this.foldIn.scoresFor(likes, this.seed));
    return {
      ...base,
      mode: 'fold-in',
      reason: `a user embedding fitted to ${dense.length} liked movies, the model otherwise frozen`,
      items: this.topK(scores, liked, k),
    };
  }

  /** Ranks every user's top MAX_K unseen items. */
  async precompute(progress: Progress): Promise<void> {
    const engine = this.engine;
    const { numUsers: U, numItems: I } = this.data;
    const K = Math.min(MAX_K, I);
    const items = new Int32Array(U * MAX_K).fill(-1);
    const scores = new Float32Array(U * MAX_K);
    const perChunk = Math.max(1, Math.floor(65536 / I));
    const users = new Int32Array(perChunk * I);
    const cand = new Int32Array(perChunk * I);
    for (let a = 0; a < perChunk; a++) for (let i = 0; i < I; i++) cand[a * I + i] = i;
    progress.start('ranking every user', U, 'users');
    for (let u0 = 0; u0 < U; u0 += perChunk) {
      const n = Math.min(perChunk, U - u0);
      for (let a = 0; a < n; a++) users.fill(u0 + a, a * I, (a + 1) * I);
      const s = await engine.score(users.subarray(0, n * I), cand.subarray(0, n * I));
      for (let a = 0; a < n; a++) {
        const u = u0 + a;
        const top = this.topIds(s.subarray(a * I, (a + 1) * I), new Set(this.trainingItems(u)), K);
        top.forEach((i, r) => {
          items[u * MAX_K + r] = i;
          scores[u * MAX_K + r] = s[a * I + i];
        });
      }
      progress.update(u0 + n);
    }
    progress.stop();
    this.ranked = { items, scores };
  }

  searchMovies(query: string, limit: number, genre?: string): Movie[] {
    const q = query.toLowerCase();
    const out: Movie[] = [];
    for (const i of this.byPopularity) {
      if (out.length >= limit) break;
      const m = this.catalog.movies[i];
      if (m?.title.toLowerCase().includes(q) && (genre === undefined || m.genres.includes(genre))) out.push(this.movieOf(i));
    }
    return out;
  }

  movie(movieId: number): MovieDetails | null {
    const i = this.itemIndex.get(movieId);
    if (i === undefined) return null;
    return { ...this.movieOf(i), interactions: this.popularity[i], popularityRank: this.byPopularity.indexOf(i) + 1 };
  }

  genres(): string[] {
    const all = new Set(this.catalog.movies.flatMap((m) => m?.genres ?? []));
    return [...all].sort();
  }

  userHistory(userId: number): UserHistory | null {
    const u = this.userIndex.get(userId);
    if (u === undefined) return null;
    const recent = this.data.recentTrain;
    const newest = recent ? [...new Set(Array.from(recent.subarray(u * RECENT_TRAIN, (u + 1) * RECENT_TRAIN)).filter((i) => i >= 0))] : [];
    const inNewest = new Set(newest);
    const rest = Array.from(this.trainingItems(u))
      .filter((i) => !inNewest.has(i))
      .sort((a, b) => this.popularity[b] - this.popularity[a] || a - b);
    const heldOut = this.data.testItems[u];
    return {
      user: userId,
      training: [...newest, ...rest].map((i) => this.movieOf(i)),
      newestFirst: newest.length,
      heldOut: heldOut >= 0 ? this.movieOf(heldOut) : null,
    };
  }

  modelCard(): ModelCard {
    return this.source.card;
  }

  dataStats(): Promise<ExploreStats> {
    if (!this.stats) {
      const reading = exploreDataset(this.source.dataset, this.source.dir, new Progress(false));
      // A failed read (the files moved since loading) is tried again on the next call.
      reading.catch(() => (this.stats = null));
      this.stats = reading;
    }
    return this.stats;
  }

  /** Fold-in scores for dense likes, for evaluation (see cold-start.ts). */
  foldInScores(likes: Int32Array, seed: number): Promise<Float32Array> {
    return this.serially(() => this.foldIn.scoresFor(likes, seed));
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.engine.dispose();
    await this.foldIn.dispose();
  }

  trainingItems(u: number): Int32Array {
    const t = this.data.train;
    return t.items.subarray(t.offsets[u], t.offsets[u + 1]);
  }

  private serially<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The k best-scored items not in `exclude`; ties go to the more popular, then the lower id. A
   * running top-k (insertion into k slots) rather than a sort of every item: this is the hot path
   * of `GET /recommend`.
   */
  private topK(scores: Float32Array, exclude: Set<number>, k: number): ScoredMovie[] {
    return this.topIds(scores, exclude, k).map((i) => ({ ...this.movieOf(i), score: round(scores[i]) }));
  }

  private topIds(scores: Float32Array, exclude: Set<number>, k: number): number[] {
    const before = (a: number, b: number): boolean =>
      scores[a] > scores[b] || (scores[a] === scores[b] && (this.popularity[a] > this.popularity[b] || (this.popularity[a] === this.popularity[b] && a < b)));
    const top: number[] = [];
    for (let i = 0; i < scores.length; i++) {
      if (exclude.has(i) || (top.length === k && !before(i, top[k - 1]))) continue;
      let p = top.length === k ? k - 1 : top.length;
      while (p > 0 && before(i, top[p - 1])) {
        top[p] = top[p - 1];
        p--;
      }
      top[p] = i;
    }
    return top;
  }

  /**
   * Popularity, or with `likedItems` popularity shaped by their genres (popularityScores): a fan
   * of westerns gets popular westerns first.
   */
  private popular(exclude: Set<number>, k: number, likedItems: ArrayLike<number> | null): ScoredMovie[] {
    const s = likedItems ? this.popularityScores(likedItems) : this.popularity;
    const order = this.items.filter((i) => !exclude.has(i));
    order.sort((a, b) => s[b] - s[a] || a - b);
    return Array.from(order.subarray(0, k), (i) => ({ ...this.movieOf(i), score: round(s[i]) }));
  }

  /** Popularity × (1 + the share of the liked movies' genre mentions that each movie's genres account for). */
  popularityScores(likedItems: ArrayLike<number>): Float64Array {
    const weight = new Map<string, number>();
    let mentions = 0;
    for (let a = 0; a < likedItems.length; a++) {
      for (const g of this.catalog.movies[likedItems[a]]?.genres ?? []) {
        weight.set(g, (weight.get(g) ?? 0) + 1);
        mentions++;
      }
    }
    const s = Float64Array.from(this.popularity);
    if (mentions === 0) return s;
    for (let i = 0; i < s.length; i++) {
      const share = (this.catalog.movies[i]?.genres ?? []).reduce((acc, g) => acc + (weight.get(g) ?? 0), 0) / mentions;
      s[i] *= 1 + share;
    }
    return s;
  }

  /** The trained model's logits of every item for dense user u. */
  userScores(u: number): Promise<Float32Array> {
    return this.engine.score(new Int32Array(this.data.numItems).fill(u), this.items);
  }

  /** The sampled protocol's candidates: users with a test item, their test items and negatives. */
  evalCandidates(): { users: Int32Array; testItems: Int32Array; negatives: Int32Array; n: number } {
    const d = this.data;
    const users = Int32Array.from({ length: d.numUsers }, (_, u) => u).filter((u) => d.testItems[u] >= 0);
    return { users, testItems: d.testItems, ...this.candidates };
  }

  /**
   * The user's most recent training movies for --explain; where the files have no timestamps
   * (ml-1m-ncf), the training movies the model itself scores highest, labelled as such.
   */
  private explain(u: number, seen: Int32Array, scores: Float32Array): Pick<Recommendations, 'recent' | 'recentBasis'> {
    const recent = this.data.recentTrain;
    if (recent) {
      const items = [...new Set(Array.from(recent.subarray(u * RECENT_TRAIN, (u + 1) * RECENT_TRAIN)).filter((i) => i >= 0))];
      return { recent: items.map((i) => this.movieOf(i)), recentBasis: 'newest' };
    }
    const top = Array.from(seen)
      .sort((a, b) => scores[b] - scores[a] || a - b)
      .slice(0, RECENT_TRAIN);
    return { recent: top.map((i) => this.movieOf(i)), recentBasis: 'model-score' };
  }

  private movieOf(i: number): Movie {
    const m = this.catalog.movies[i];
    const movieId = this.catalog.itemIds[i];
    return { movieId, title: m?.title ?? `movie ${movieId}`, genres: m?.genres ?? [] };
  }
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new NcfError(`k must be an integer from 1 to ${MAX_K}, got ${k}`);
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
