/** Rate a movie 1–5 or like it: buttons with aria-pressed, so the keyboard and screen readers can use them. */
import type { StoredRating } from '../api.js';

export type RatingValue = { rating: number } | { like: true };

interface Props {
  title: string;
  current: StoredRating | undefined;
  busy: boolean;
  onRate: (value: RatingValue) => void;
  onRemove: () => void;
}

export function RatingControl({ title, current, busy, onRate, onRemove }: Props) {
  const stars = current?.rating ?? 0;
  return (
    <fieldset class="rating">
      <legend class="hidden">Your rating of {title}</legend>
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          type="button"
          key={n}
          class={n <= stars ? 'star on' : 'star'}
          aria-pressed={current?.rating === n}
          aria-label={`${n} star${n > 1 ? 's' : ''}`}
          disabled={busy}
          onClick={() => onRate({ rating: n })}
        >
          ★
        </button>
      ))}
      <button
        type="button"
        class={current?.liked && current.rating === null ? 'like on' : 'like'}
        aria-pressed={Boolean(current?.liked && current.rating === null)}
        disabled={busy}
        onClick={() => onRate({ like: true })}
      >
        Like
      </button>
      {current && (
        <button type="button" class="remove" aria-label={`Remove your rating of ${title}`} disabled={busy} onClick={onRemove}>
          ✕
        </button>
      )}
    </fieldset>
  );
}
