/** One movie in a list: title, genres, optionally a score, and (where ratings are on) its rating control. */
import type { ComponentChildren } from 'preact';
import type { Movie } from '../api.js';

export function MovieRow({ movie, extra, children }: { movie: Movie; extra?: string; children?: ComponentChildren }) {
  return (
    <li class="movie" data-movie-id={movie.movieId}>
      <div class="movie-text">
        <span class="title">{movie.title}</span>
        <span class="genres">
          {movie.genres.join(' · ')}
          {extra ? ` — ${extra}` : ''}
        </span>
      </div>
      {children}
    </li>
  );
}
