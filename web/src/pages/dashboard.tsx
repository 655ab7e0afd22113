/** The data dashboard: the dataset's figures and the charts of `ncf data explore`, drawn by the server as SVG. */
import { useEffect, useState } from 'preact/hooks';
import { api, type DashboardChart, type ExploreStats } from '../api.js';

const count = (n: number) => n.toLocaleString('en');

export function DashboardPage() {
  const [data, setData] = useState<{ stats: ExploreStats; charts: DashboardChart[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.dashboard().then(setData, (err: Error) => setError(err.message));
  }, []);
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!data) return <p class="note">Reading the dataset…</p>;
  const s = data.stats;
  const figures: [string, string][] = [
    ['Users', count(s.users)],
    ['Movies', count(s.items)],
    [s.explicit ? 'Ratings' : 'Interactions', count(s.interactions)],
    ['Density', `${(s.density * 100).toFixed(2)}%`],
    ['Top 10% of movies hold', `${(s.topTenPercent.interactionShare * 100).toFixed(1)}%`],
  ];
  if (s.meanRating !== null) figures.push(['Mean rating', s.meanRating.toFixed(2)]);
  return (
    <section aria-labelledby="data-title">
      <h1 id="data-title">Data: {s.dataset}</h1>
      <dl class="figures" data-testid="figures">
        {figures.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <div class="charts">
        {data.charts.map((c) => (
          <figure key={c.name}>
            <img src={c.url} alt={c.title} loading="lazy" />
            <figcaption>{c.title}</figcaption>
          </figure>
        ))}
      </div>
      {s.notes.length > 0 && (
        <ul class="notes">
          {s.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
