/** One movie in a list: title, genres, optionally a score, and (where ratings are on) its rating control. */
import type { ComponentChildren } from 'preact';
import type { Movie } from '../api.js';

/** `rank` is drawn as text: chromium's own list numbers went stale when Preact moved keyed items. */
export function MovieRow({ movie, rank, extra, children }: { movie: Movie; rank?: number; extra?: string; children?: ComponentChildren }) {
  return (
    <li class="movie" data-movie-id={movie.movieId}>
      <div class="movie-text">
        <span class="title">
          {rank !== undefined && <span class="rank">{rank}. </span>}
          {movie.title}
        </span>
        <span class="genres">
          {movie.genres.join(' · ')}
          {extra ? ` — ${extra}` : ''}
        </span>
      </div>
      {children}
    </li>
  );
}
