/** An answer of the recommender as terminal text: how it was produced, then one line per movie. */
import { textTable } from '../report/text-table.js';
import type { ColdStartResult } from './cold-start.js';
import type { Movie, Recommendations } from './types.js';

export function recommendationsText(r: Recommendations): string {
  const who = r.user !== null ? `user ${r.user}` : `likes ${r.likes.join(', ') || '(none known)'}`;
  const lines = [`${who} — ${r.mode}: ${r.reason}`];
  if (r.unknownLikes.length) lines.push(`not in the model (ignored): ${r.unknownLikes.join(', ')}`);
  const width = String(r.items.length).length;
  for (const [n, m] of r.items.entries()) lines.push(`${String(n + 1).padStart(width)}. ${movieText(m)}  score ${m.score}`);
  if (r.recent?.length) {
    lines.push(
      '',
      r.recentBasis === 'newest'
        ? "the user's most recent training movies, newest first:"
        : "the user's training movies the model scores highest (this dataset has no timestamps):",
    );
    for (const m of r.recent) lines.push(`   ${movieText(m)}`);
  }
  return lines.join('\n');
}

function movieText(m: Movie): string {
  return `${m.title} [${m.genres.join('|') || 'no genres'}] (MovieID ${m.movieId})`;
}

/** HR@K / NDCG@K per method and number of likes, sampled protocol. */
export function coldStartText(results: ColdStartResult[]): string {
  const rows = results.flatMap((r) => Object.entries(r.metrics).map(([method, m]) => [method, r.likes, r.users, m.hr.toFixed(4), m.ndcg.toFixed(4)]));
  const k = results[0]?.metrics.model.k ?? 10;
  return (
    textTable(['method', 'likes kept', 'users', `HR@${k}`, `NDCG@${k}`], rows) +
    "\nmodel = the trained model with the user's whole history; the others see only the kept likes."
  );
}
