/**
 * What a dataset looks like before training: how interactions spread over users and items (the
 * long tail), over genres, and over rating values; the most-rated movies.
 *
 * One O(n) pass over the rows (InteractionTally) keeps only per-user and per-item counts and
 * per-item rating sums, so rows can be fed chunk by chunk; everything else is computed from those
 * per-item figures, O(users + items · genres).
 */
import type { MovieInfo, RatingColumns } from './types.js';

/** Genre bucket for movies whose metadata lists none. */
export const NO_GENRE = '(no genres listed)';
export const TOP_MOVIES = 20;
/** The popularity curve's resolution: one point per percent of items. */
export const CURVE_POINTS = 100;
const HALF_STARS = 11; // rating values 0, 0.5, ..., 5

/** Per-user and per-item counts, indexed by the ids as they appear in the data. */
export class InteractionTally {
  interactions = 0;
  userCounts = new Int32Array(0);
  itemCounts = new Int32Array(0);
  /** Sum of ratings per item; null for implicit data. */
  itemRatingSums: Float64Array | null;
  /** Ratings per half star (index = rating × 2); null for implicit data. */
  ratingValues: Float64Array | null;

  constructor(readonly explicit: boolean) {
    this.itemRatingSums = explicit ? new Float64Array(0) : null;
    this.ratingValues = explicit ? new Float64Array(HALF_STARS) : null;
  }

  add(cols: RatingColumns): void {
    const n = cols.length;
    let maxUser = -1;
    let maxItem = -1;
    for (let r = 0; r < n; r++) {
      if (cols.users[r] > maxUser) maxUser = cols.users[r];
      if (cols.items[r] > maxItem) maxItem = cols.items[r];
    }
    this.userCounts = grown(this.userCounts, maxUser + 1);
    this.itemCounts = grown(this.itemCounts, maxItem + 1);
    const { users, items, ratings } = cols;
    const userCounts = this.userCounts;
    const itemCounts = this.itemCounts;
    for (let r = 0; r < n; r++) {
      userCounts[users[r]]++;
      itemCounts[items[r]]++;
    }
    if (this.itemRatingSums !== null && this.ratingValues !== null) {
      this.itemRatingSums = grown(this.itemRatingSums, maxItem + 1);
      const sums = this.itemRatingSums;
      const values = this.ratingValues;
      for (let r = 0; r < n; r++) {
        sums[items[r]] += ratings[r];
        values[Math.min(HALF_STARS - 1, Math.max(0, Math.round(ratings[r] * 2)))]++;
      }
    }
    this.interactions += n;
  }
}

function grown<T extends Int32Array | Float64Array>(a: T, length: number): T {
  if (length <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(length, a.length * 2));
  b.set(a);
  return b;
}

/** Values fall in log2 bins: [1, 1], [2, 3], [4, 7], ... (`to` inclusive). */
export interface LogBin {
  from: number;
  to: number;
  count: number;
}

export interface CountDistribution {
  min: number;
  median: number;
  mean: number;
  max: number;
  /** From the bin of `min` to the bin of `max`, empty bins included. */
  histogram: LogBin[];
}

export interface GenreStats {
  genre: string;
  /** Movies of this genre with at least one interaction. */
  movies: number;
  interactions: number;
  /** null for implicit data. */
  meanRating: number | null;
}

export interface TopMovie {
  itemId: number;
  /** "item <id>" where the dataset has no metadata for it. */
  title: string;
  genres: string[];
  interactions: number;
  meanRating: number | null;
}

export interface ExploreStats {
  dataset: string;
  users: number;
  items: number;
  interactions: number;
  /** interactions / (users × items) */
  density: number;
  /** False for implicit feedback (no rating values): no rating figures then. */
  explicit: boolean;
  meanRating: number | null;
  /** Ratings per value, rounded to half stars; only values that occur. */
  ratingValues: { rating: number; count: number }[] | null;
  perUser: CountDistribution;
  perItem: CountDistribution;
  /** The ⌈10%⌉ most-interacted items and the share of all interactions they hold. */
  topTenPercent: { items: number; interactionShare: number };
  /** Share of interactions held by the ⌈k% · items⌉ most-interacted items, k = 1..100. */
  popularityCurve: { itemShare: number; interactionShare: number }[];
  /** Descending by interactions (ties by name); null where the dataset has no genres. */
  genres: GenreStats[] | null;
  /** Items seen in the interactions but missing from the metadata. */
  itemsWithoutMetadata: number;
  /** Most interactions first; ties by ascending item id. */
  topMovies: TopMovie[];
  /** Provenance and caveats for a reader of the report (where titles came from, what was skipped). */
  notes: string[];
}

export interface ExploreOptions {
  dataset: string;
  /** Metadata keyed by the item ids in the tally, or null when there is none. */
  movies: Map<number, MovieInfo> | null;
  notes?: string[];
}

export function exploreStats(tally: InteractionTally, opts: ExploreOptions): ExploreStats {
  const userCounts = tally.userCounts.filter((c) => c > 0);
  const itemIds = idsWithInteractions(tally.itemCounts);
  const itemCounts = Int32Array.from(itemIds, (i) => tally.itemCounts[i]);
  const n = tally.interactions;
  // Indexes into itemIds, most interactions first.
  const byPopularity = Int32Array.from(itemIds.keys()).sort((a, b) => itemCounts[b] - itemCounts[a] || itemIds[a] - itemIds[b]);
  const cumulative = new Float64Array(byPopularity.length + 1);
  for (let k = 0; k < byPopularity.length; k++) cumulative[k + 1] = cumulative[k] + itemCounts[byPopularity[k]];
  // Integer arithmetic first: 0.1 * 30 is 3.0000000000000004 in floating point, whose ceiling is 4.
  const topItems = (percent: number): number => Math.ceil((percent * itemIds.length) / 100);
  const sums = tally.itemRatingSums;
  const meanOf = (i: number): number | null => (sums === null ? null : sums[i] / tally.itemCounts[i]);
  let ratingTotal = 0;
  if (sums !== null) for (const i of itemIds) ratingTotal += sums[i];
  const genreTable = opts.movies === null ? null : genreStats(tally, itemIds, opts.movies);
  return {
    dataset: opts.dataset,
    users: userCounts.length,
    items: itemIds.length,
    interactions: n,
    density: n / (userCounts.length * itemIds.length),
    explicit: tally.explicit,
    meanRating: sums === null ? null : ratingTotal / n,
    ratingValues: tally.ratingValues === null ? null : ratingValueCounts(tally.ratingValues),
    perUser: distribution(userCounts),
    perItem: distribution(itemCounts),
    topTenPercent: { items: topItems(10), interactionShare: cumulative[topItems(10)] / n },
    popularityCurve: Array.from({ length: CURVE_POINTS }, (_, k) => ({
      itemShare: (k + 1) / CURVE_POINTS,
      interactionShare: cumulative[topItems(((k + 1) * 100) / CURVE_POINTS)] / n,
    })),
    genres: genreTable?.genres ?? null,
    itemsWithoutMetadata: genreTable?.missing ?? 0,
    topMovies: Array.from(byPopularity.subarray(0, TOP_MOVIES), (k) => {
      const id = itemIds[k];
      const movie = opts.movies?.get(id);
      return { itemId: id, title: movie?.title ?? `item ${id}`, genres: movie?.genres ?? [], interactions: itemCounts[k], meanRating: meanOf(id) };
    }),
    notes: opts.notes ?? [],
  };
}

function idsWithInteractions(counts: Int32Array): Int32Array {
  let k = 0;
  for (const c of counts) if (c > 0) k++;
  const ids = new Int32Array(k);
  k = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) ids[k++] = i;
  return ids;
}

/** Min, median (mean of the middle two for an even count), mean, max and log2 bins of positive counts. */
export function distribution(counts: Int32Array): CountDistribution {
  if (counts.length === 0) return { min: 0, median: 0, mean: 0, max: 0, histogram: [] };
  const sorted = Int32Array.from(counts).sort();
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  let total = 0;
  for (const c of sorted) total += c;
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  const firstBin = Math.floor(Math.log2(min));
  const bins = new Float64Array(Math.floor(Math.log2(max)) - firstBin + 1);
  for (const c of sorted) bins[Math.floor(Math.log2(c)) - firstBin]++;
  const histogram = Array.from(bins, (count, k) => ({ from: 2 ** (firstBin + k), to: 2 ** (firstBin + k + 1) - 1, count }));
  return { min, median, mean: total / sorted.length, max, histogram };
}

function ratingValueCounts(halfStars: Float64Array): { rating: number; count: number }[] {
  const out: { rating: number; count: number }[] = [];
  halfStars.forEach((count, k) => {
    if (count > 0) out.push({ rating: k / 2, count });
  });
  return out;
}

/** A movie with several genres counts once in each of them. */
function genreStats(tally: InteractionTally, itemIds: Int32Array, movies: Map<number, MovieInfo>): { genres: GenreStats[]; missing: number } {
  const acc = new Map<string, { movies: number; interactions: number; ratingSum: number }>();
  let missing = 0;
  for (const i of itemIds) {
    const movie = movies.get(i);
    if (movie === undefined) {
      missing++;
      continue;
    }
    for (const genre of movie.genres.length > 0 ? movie.genres : [NO_GENRE]) {
      let g = acc.get(genre);
      if (g === undefined) {
        g = { movies: 0, interactions: 0, ratingSum: 0 };
        acc.set(genre, g);
      }
      g.movies++;
      g.interactions += tally.itemCounts[i];
      g.ratingSum += tally.itemRatingSums?.[i] ?? 0;
    }
  }
  const genres = [...acc].map(([genre, g]) => ({
    genre,
    movies: g.movies,
    interactions: g.interactions,
    meanRating: tally.explicit ? g.ratingSum / g.interactions : null,
  }));
  genres.sort((a, b) => b.interactions - a.interactions || (a.genre < b.genre ? -1 : a.genre > b.genre ? 1 : 0));
  return { genres, missing };
}
