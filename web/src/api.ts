/** The `ncf serve` API as the site calls it: each call resolves to the JSON answer or throws the server's one-line message. */
import type { ExploreStats } from '../../src/data/explore.js';
import type { ModelCard, Movie, MovieDetails, Recommendations, RecommenderInfo, UserHistory } from '../../src/recommend/types.js';

export type { ExploreStats, ModelCard, Movie, MovieDetails, Recommendations, RecommenderInfo, UserHistory };

export interface Profile {
  id: string;
  token: string;
}

export interface StoredRating {
  movieId: number;
  rating: number | null;
  liked: boolean;
  at: string;
}

export interface ProfileRecommendations {
  mode: string;
  reason: string;
  items: (Movie & { score: number })[];
  because: { movieId: number; title: string }[];
}

export interface DashboardChart {
  name: string;
  title: string;
  url: string;
}

/** An answer other than 2xx; `status` lets a caller tell a missing profile (401) from the rest. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  } catch {
    throw new ApiError(0, 'the server cannot be reached; is ncf serve running?');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the message below says so
  }
  if (!res.ok) throw new ApiError(res.status, (json as { message?: string } | null)?.message ?? `${res.status} ${res.statusText}`);
  return json as T;
}

const query = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

export const api = {
  health: () => call<{ status: string } & RecommenderInfo>('GET', '/health'),
  searchMovies: (search: string, genre: string | undefined, limit = 20) => call<{ movies: Movie[] }>('GET', `/api/movies${query({ search, genre, limit })}`),
  movie: (movieId: number) => call<MovieDetails>('GET', `/api/movies/${movieId}`),
  genres: () => call<{ genres: string[] }>('GET', '/api/genres'),
  user: (userId: number, k = 10) => call<UserHistory & { recommendations: Recommendations }>('GET', `/api/users/${userId}${query({ k })}`),
  model: () => call<ModelCard & { serving: RecommenderInfo }>('GET', '/api/model'),
  dashboard: () => call<{ stats: ExploreStats; charts: DashboardChart[] }>('GET', '/api/dashboard'),
  createProfile: () => call<Profile>('POST', '/api/profiles'),
  ratings: (p: Profile) => call<{ ratings: StoredRating[] }>('GET', `/api/profiles/${p.id}/ratings`, { token: p.token }),
  rate: (p: Profile, movieId: number, value: { rating: number } | { like: true }) =>
    call<StoredRating>('PUT', `/api/profiles/${p.id}/ratings/${movieId}`, { token: p.token, body: value }),
  unrate: (p: Profile, movieId: number) => call<void>('DELETE', `/api/profiles/${p.id}/ratings/${movieId}`, { token: p.token }),
  recommendations: (p: Profile, k = 10) => call<ProfileRecommendations>('GET', `/api/profiles/${p.id}/recommendations${query({ k })}`, { token: p.token }),
};
