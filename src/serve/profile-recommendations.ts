/**
 * A profile's recommendations from its stored ratings: fold-in on the movies it likes (isPositive:
 * a like, or 3 stars or more), with none of its rated movies recommended back. Answers
 * are cached per profile and k, and dropped when that profile's ratings change here or, through
 * the feedback NOTIFY, in another `ncf serve` on the same database; a reloaded model drops them too.
 */
import { MAX_K, MAX_LIKES, type Movie, type RecommenderApi, type RecommenderInfo, type ScoredMovie } from '../recommend/types.js';
import { isPositive } from '../data/feedback.js';
import type { StoredRating } from '../store/index.js';

const BECAUSE = 3;
const CACHED_PROFILES = 10_000;

export interface ProfileRecommendations {
  mode: string;
  reason: string;
  items: ScoredMovie[];
  /** The liked movies the answer was made from, newest first (at most BECAUSE). */
  because: Pick<Movie, 'movieId' | 'title'>[];
}

export async function recommendForRatings(rec: RecommenderApi, ratings: StoredRating[], k: number): Promise<ProfileRecommendations> {
  // The newest MAX_LIKES likes: fold-in takes no more.
  const likes = ratings
    .filter(isPositive)
    .map((r) => r.movieId)
    .slice(-MAX_LIKES);
  const rated = new Set(ratings.map((r) => r.movieId));
  // forLikes leaves out the likes; ask for enough more to leave out the other rated movies too.
  const answer = await rec.forLikes(likes, Math.min(MAX_K, k + rated.size - likes.length));
  const items = answer.items.filter((m) => !rated.has(m.movieId)).slice(0, k);
  const used = new Set(answer.likes);
  const because =
    answer.mode === 'popularity'
      ? []
      : likes
          .filter((id) => used.has(id))
          .reverse()
          .slice(0, BECAUSE);
  return {
    mode: answer.mode,
    reason: answer.reason,
    items,
    because: because.map((movieId) => ({ movieId, title: rec.movie(movieId)?.title ?? String(movieId) })),
  };
}

/**
 * Answers per profile and k, for the model that made them. An answer begun before a drop is not
 * kept: `set` takes the generation `generation` gave when the answer was begun.
 */
export class RecommendationCache {
  private readonly byProfile = new Map<string, { info: RecommenderInfo; byK: Map<number, ProfileRecommendations> }>();
  private drops = 0;

  /** Changes whenever any profile's answers are dropped. */
  generation(): number {
    return this.drops;
  }

  get(profileId: string, k: number, info: RecommenderInfo): ProfileRecommendations | undefined {
    const entry = this.byProfile.get(profileId);
    return entry?.info === info ? entry.byK.get(k) : undefined;
  }

  set(profileId: string, k: number, info: RecommenderInfo, answer: ProfileRecommendations, begun: number): void {
    if (begun !== this.drops) return;
    let entry = this.byProfile.get(profileId);
    if (entry?.info !== info) {
      entry = { info, byK: new Map() };
      this.byProfile.delete(profileId);
      this.byProfile.set(profileId, entry);
      if (this.byProfile.size > CACHED_PROFILES) this.byProfile.delete(this.byProfile.keys().next().value!);
    }
    entry.byK.set(k, answer);
  }

  drop(profileId: string): void {
    this.drops++;
    this.byProfile.delete(profileId);
  }

  get size(): number {
    return this.byProfile.size;
  }
}
