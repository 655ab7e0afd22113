/**
 * Search the catalogue by title and genre, rate movies 1–5 or like them, and watch the
 * recommendations change after each rating (fold-in on this browser's profile, kept by the server).
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, type Movie, type Profile, type ProfileRecommendations, type StoredRating } from '../api.js';
import { ModeNote } from '../components/mode-note.js';
import { MovieRow } from '../components/movie-row.js';
import { RatingControl, type RatingValue } from '../components/rating-control.js';
import { ensureProfile, forgetIfUnknown, storedProfile } from '../profile.js';

const SEARCH_DELAY_MS = 200;

export function RatePage() {
  const [search, setSearch] = useState('');
  const [genre, setGenre] = useState('');
  const [genres, setGenres] = useState<string[]>([]);
  const [results, setResults] = useState<Movie[] | null>(null);
  const [ratings, setRatings] = useState<Map<number, StoredRating>>(new Map());
  const [recs, setRecs] = useState<ProfileRecommendations | null>(null);
  // Every movie seen so far, to title the ratings list; a ref, so refresh() needs no new closure.
  const titles = useRef(new Map<number, Movie>());
  const [, setTitlesSeen] = useState(0);
  const [busy, setBusy] = useState<number | null>(null);
  const [updating, setUpdating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [ratingsOff, setRatingsOff] = useState(false);
  const profile = useRef<Profile | null>(storedProfile());

  const remember = useCallback((movies: Movie[]) => {
    for (const m of movies) titles.current.set(m.movieId, m);
    setTitlesSeen(titles.current.size);
  }, []);

  const refresh = useCallback(async () => {
    const p = profile.current;
    if (!p) return;
    setUpdating(true);
    try {
      const [{ ratings: list }, r] = await Promise.all([api.ratings(p), api.recommendations(p, 10)]);
      setRatings(new Map(list.map((x) => [x.movieId, x])));
      setRecs(r);
      remember(r.items);
      const unknown = list.map((x) => x.movieId).filter((id) => !titles.current.has(id));
      if (unknown.length) remember(await Promise.all(unknown.map((id) => api.movie(id))));
    } catch (err) {
      forgetIfUnknown(err);
      if (err instanceof ApiError && err.status === 401) profile.current = null;
      setError((err as Error).message);
    } finally {
      setUpdating(false);
    }
  }, [remember]);

  useEffect(() => {
    api.genres().then(
      (g) => setGenres(g.genres),
      (err: Error) => setError(err.message),
    );
    void refresh();
  }, [refresh]);

  useEffect(() => {
    const timer = setTimeout(() => {
      api.searchMovies(search.trim(), genre || undefined, 20).then(
        (r) => {
          setResults(r.movies);
          remember(r.movies);
        },
        (err: Error) => setError(err.message),
      );
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, genre, remember]);

  const rate = async (movieId: number, value: RatingValue | null) => {
    setBusy(movieId);
    setError(null);
    try {
      if (!profile.current) profile.current = await ensureProfile();
      const p = profile.current;
      if (value) await api.rate(p, movieId, value);
      else await api.unrate(p, movieId);
      await refresh();
    } catch (err) {
      // `ncf serve --no-db` has no /api/profiles routes.
      if (err instanceof ApiError && err.status === 404 && err.message.startsWith('no route')) setRatingsOff(true);
      forgetIfUnknown(err);
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const control = (m: Movie) =>
    ratingsOff ? null : (
      <RatingControl
        title={m.title}
        current={ratings.get(m.movieId)}
        busy={busy === m.movieId}
        onRate={(v) => void rate(m.movieId, v)}
        onRemove={() => void rate(m.movieId, null)}
      />
    );

  const rated = [...ratings.values()].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <div class="columns">
      <section aria-labelledby="find">
        <h1 id="find">Find movies</h1>
        <form class="search" aria-label="Search movies" onSubmit={(e) => e.preventDefault()}>
          <label>
            Title
            <input type="search" name="search" value={search} placeholder="e.g. star wars" maxLength={100} onInput={(e) => setSearch(e.currentTarget.value)} />
          </label>
          <label>
            Genre
            <select name="genre" value={genre} onChange={(e) => setGenre(e.currentTarget.value)}>
              <option value="">Any genre</option>
              {genres.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </label>
        </form>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {ratingsOff && <p class="note">This server keeps no ratings (it runs with --no-db); search and the other pages still work.</p>}
        {results === null ? (
          <p class="note">Loading…</p>
        ) : results.length === 0 ? (
          <p class="note">No movie matches.</p>
        ) : (
          <ul class="movies" aria-label="Search results" data-testid="results">
            {results.map((m) => (
              <MovieRow key={m.movieId} movie={m}>
                {control(m)}
              </MovieRow>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="for-you" aria-busy={updating}>
        <h2 id="for-you">Recommended for you</h2>
        {!recs ? (
          <p class="note">Rate or like a few movies and recommendations appear here; they change with every rating.</p>
        ) : (
          <div data-testid="recommendations">
            <ModeNote mode={recs.mode} reason={recs.reason} />
            {recs.because.length > 0 && <p class="because">Because you liked {recs.because.map((b) => b.title).join(', ')}</p>}
            <ol class="movies">
              {recs.items.map((m, i) => (
                <MovieRow key={m.movieId} movie={m} rank={i + 1}>
                  {control(m)}
                </MovieRow>
              ))}
            </ol>
          </div>
        )}
        <h2>Your ratings ({rated.length})</h2>
        {rated.length === 0 ? (
          <p class="note">None yet.</p>
        ) : (
          <ul class="movies" aria-label="Your ratings" data-testid="my-ratings">
            {rated.map((r) => {
              const m = titles.current.get(r.movieId) ?? { movieId: r.movieId, title: `movie ${r.movieId}`, genres: [] };
              return (
                <MovieRow key={r.movieId} movie={m} extra={r.rating === null ? 'liked' : `${r.rating} ★`}>
                  {control(m)}
                </MovieRow>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
