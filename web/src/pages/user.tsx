/** A MovieLens user's page, for demos: their training movies (newest first), the held-out movie, and the model's recommendations. */
import { useEffect, useState } from 'preact/hooks';
import { api, type Recommendations, type UserHistory } from '../api.js';
import { ModeNote } from '../components/mode-note.js';
import { MovieRow } from '../components/movie-row.js';

const SHOWN = 30;

export function UserPage({ userId }: { userId: number | null }) {
  const [typed, setTyped] = useState(userId ? String(userId) : '1');
  const [page, setPage] = useState<(UserHistory & { recommendations: Recommendations }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [all, setAll] = useState(false);

  useEffect(() => {
    setPage(null);
    setError(null);
    setAll(false);
    if (userId === null) return;
    setTyped(String(userId));
    api.user(userId, 10).then(setPage, (err: Error) => setError(err.message));
  }, [userId]);

  const open = (e: Event) => {
    e.preventDefault();
    location.hash = `#/user/${typed.trim()}`;
  };
  const heldOut = page?.heldOut?.movieId;
  const hit = page?.recommendations.items.findIndex((m) => m.movieId === heldOut) ?? -1;
  return (
    <section aria-labelledby="user-title">
      <h1 id="user-title">{userId ? `MovieLens user ${userId}` : 'MovieLens users'}</h1>
      <form class="search" onSubmit={open}>
        <label>
          UserID
          <input name="user" inputMode="numeric" pattern="[1-9][0-9]*" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} required />
        </label>
        <button type="submit">Open</button>
      </form>
      {userId === null && <p class="note">Open a user of the training data to see what the model learnt from them and what it recommends.</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {page && (
        <div class="columns">
          <div>
            <h2>Recommended by the model</h2>
            <ModeNote mode={page.recommendations.mode} reason={page.recommendations.reason} />
            {page.heldOut && (
              <p class="note">
                Held out for evaluation: <strong>{page.heldOut.title}</strong> — {hit >= 0 ? `ranked ${hit + 1} of these 10` : 'not among these 10'}.
              </p>
            )}
            <ol class="movies" data-testid="user-recommendations">
              {page.recommendations.items.map((m, i) => (
                <MovieRow key={m.movieId} movie={m} rank={i + 1} extra={`score ${m.score.toFixed(2)}`} />
              ))}
            </ol>
          </div>
          <div>
            <h2>Trained on {page.training.length} movies</h2>
            <p class="note">{page.newestFirst > 0 ? `The ${page.newestFirst} newest first, then the rest most watched first.` : 'Most watched first.'}</p>
            <ul class="movies" data-testid="user-history">
              {(all ? page.training : page.training.slice(0, SHOWN)).map((m, i) => (
                <MovieRow key={m.movieId} movie={m} extra={i < page.newestFirst ? 'recent' : undefined} />
              ))}
            </ul>
            {!all && page.training.length > SHOWN && (
              <button type="button" onClick={() => setAll(true)}>
                Show all {page.training.length}
              </button>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
