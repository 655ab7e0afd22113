/**
 * The data section of a report: ExploreStats as Vega-Lite charts (SVG) and tables. Built from the
 * stats alone, so `ncf data explore` and a training report can show the same section.
 */
import type { CountDistribution, ExploreStats, GenreStats } from '../data/explore.js';
import type { Chart, Section, Table } from './html.js';
import { renderSvg, type ChartSpec } from './vega.js';

const WIDTH = 420;
const BAR_STEP = 16;

export async function exploreCharts(stats: ExploreStats): Promise<Chart[]> {
  const charts: { name: string; title: string; spec: ChartSpec }[] = [
    { name: 'interactions-per-user', title: 'Users by number of interactions (log2 bins)', spec: histogramSpec(stats.perUser, 'users') },
    { name: 'interactions-per-item', title: 'Movies by number of interactions (log2 bins)', spec: histogramSpec(stats.perItem, 'movies') },
    {
      name: 'item-popularity-curve',
      title: `Share of interactions held by the most popular movies (top 10%: ${percent(stats.topTenPercent.interactionShare)})`,
      spec: popularityCurveSpec(stats),
    },
    {
      name: 'most-rated-movies',
      title: `The ${stats.topMovies.length} movies with the most ${stats.explicit ? 'ratings' : 'interactions'}`,
      spec: horizontalBarsSpec(
        stats.topMovies.map((m, k) => ({ label: `${k + 1}. ${m.title}`, value: m.interactions })),
        stats.explicit ? 'ratings' : 'interactions',
      ),
    },
  ];
  if (stats.genres !== null) {
    const genres = stats.genres;
    charts.push(
      {
        name: 'movies-per-genre',
        title: 'Movies per genre (those with at least one interaction)',
        spec: horizontalBarsSpec(
          byValue(genres, (g) => g.movies),
          'movies',
        ),
      },
      {
        name: 'interactions-per-genre',
        title: 'Interactions per genre',
        spec: horizontalBarsSpec(
          byValue(genres, (g) => g.interactions),
          'interactions',
        ),
      },
    );
    if (stats.explicit) {
      charts.push({
        name: 'mean-rating-by-genre',
        title: 'Mean rating by genre',
        spec: horizontalBarsSpec(
          byValue(genres, (g) => g.meanRating ?? 0),
          'mean rating',
          [0, 5],
        ),
      });
    }
  }
  if (stats.ratingValues !== null) {
    charts.push({ name: 'rating-values', title: 'Ratings by value', spec: ratingValuesSpec(stats.ratingValues) });
  }
  return Promise.all(charts.map(async (c) => ({ name: c.name, title: c.title, svg: await renderSvg(c.spec) })));
}

export async function exploreSection(stats: ExploreStats): Promise<Section> {
  return {
    title: `Data: ${stats.dataset}`,
    notes: sectionNotes(stats),
    tables: sectionTables(stats),
    charts: await exploreCharts(stats),
  };
}

function sectionNotes(s: ExploreStats): string[] {
  const notes = [
    `${count(s.users)} users, ${count(s.items)} movies, ${count(s.interactions)} ${s.explicit ? 'ratings' : 'interactions'}: ` +
      `density ${percent(s.density, 3)}. The ${count(s.topTenPercent.items)} most popular movies (10%) hold ` +
      `${percent(s.topTenPercent.interactionShare)} of all interactions.`,
  ];
  if (!s.explicit) notes.push('Implicit feedback: the files hold no rating values, so there are no rating figures.');
  if (s.genres !== null) notes.push('A movie with several genres counts once in each of them.');
  if (s.itemsWithoutMetadata > 0)
    notes.push(`${count(s.itemsWithoutMetadata)} movies have no title or genres in the metadata and are left out of the genre figures.`);
  return [...notes, ...s.notes];
}

function sectionTables(s: ExploreStats): Table[] {
  const dist = (name: string, d: CountDistribution): (string | number)[] => [name, count(d.min), d.median.toFixed(1), d.mean.toFixed(1), count(d.max)];
  const tables: Table[] = [
    {
      caption: 'Interactions per user and per movie',
      head: ['', 'min', 'median', 'mean', 'max'],
      rows: [dist('per user', s.perUser), dist('per movie', s.perItem)],
    },
    {
      caption: `Most ${s.explicit ? 'rated' : 'interacted-with'} movies (ties: lower item id first)`,
      head: ['movie', 'genres', s.explicit ? 'ratings' : 'interactions', ...(s.explicit ? ['mean rating'] : [])],
      rows: s.topMovies.map((m) => [m.title, m.genres.join(', '), count(m.interactions), ...(m.meanRating === null ? [] : [m.meanRating.toFixed(2)])]),
    },
  ];
  if (s.genres !== null) {
    tables.push({
      caption: 'Genres',
      head: ['genre', 'movies', 'interactions', ...(s.explicit ? ['mean rating'] : [])],
      rows: s.genres.map((g) => [g.genre, count(g.movies), count(g.interactions), ...(g.meanRating === null ? [] : [g.meanRating.toFixed(2)])]),
    });
  }
  return tables;
}

function histogramSpec(d: CountDistribution, what: string): ChartSpec {
  return {
    width: WIDTH,
    height: 220,
    data: { values: d.histogram.map((b) => ({ bin: b.from === b.to ? `${b.from}` : `${b.from}–${b.to}`, count: b.count })) },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'bin', type: 'ordinal', sort: null, title: 'interactions' },
      y: { field: 'count', type: 'quantitative', title: what },
    },
  };
}

function popularityCurveSpec(s: ExploreStats): ChartSpec {
  return {
    width: WIDTH,
    height: 220,
    data: { values: s.popularityCurve },
    mark: { type: 'line', point: { size: 12 } },
    encoding: {
      x: { field: 'itemShare', type: 'quantitative', title: 'most popular movies (share of all movies)', axis: { format: '%' } },
      y: { field: 'interactionShare', type: 'quantitative', title: 'share of interactions', axis: { format: '%' }, scale: { domain: [0, 1] } },
    },
  };
}

function horizontalBarsSpec(rows: { label: string; value: number }[], valueTitle: string, domain?: [number, number]): ChartSpec {
  return {
    width: WIDTH,
    height: { step: BAR_STEP },
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      // Headless rendering estimates text at 0.8 em per character, so the default limit cuts titles short.
      y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 400 } },
      x: { field: 'value', type: 'quantitative', title: valueTitle, ...(domain ? { scale: { domain } } : {}) },
    },
  };
}

function ratingValuesSpec(values: { rating: number; count: number }[]): ChartSpec {
  return {
    width: WIDTH,
    height: 220,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'rating', type: 'ordinal', title: 'rating' },
      y: { field: 'count', type: 'quantitative', title: 'ratings' },
    },
  };
}

/** Largest first; the genre table is ordered by interactions, so each chart re-sorts by its own value. */
function byValue(genres: GenreStats[], value: (g: GenreStats) => number): { label: string; value: number }[] {
  return genres.map((g) => ({ label: g.genre, value: value(g) })).sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : 1));
}

function count(x: number): string {
  return x.toLocaleString('en-US');
}

function percent(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}
