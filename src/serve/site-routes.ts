/**
 * The site's read-only routes under /api: search the catalogue, one movie, the genres, a MovieLens
 * user's page, the model card and the data dashboard (the charts of `ncf data explore`, drawn once
 * per loaded dataset and kept).
 */
import type { FastifyInstance } from 'fastify';
import type { ExploreStats } from '../data/explore.js';
import type { RecommenderApi } from '../recommend/types.js';
import { exploreCharts } from '../report/explore-charts.js';
import type { Chart } from '../report/html.js';
import { errorBody } from './errors.js';
import {
  type CatalogueQuery,
  type ChartParams,
  catalogueSchema,
  chartSchema,
  dashboardSchema,
  genresSchema,
  type MovieParams,
  modelSchema,
  movieSchema,
  type UserParams,
  type UserQuery,
  userSchema,
} from './site-schemas.js';

const CHARTS_URL = '/api/dashboard/charts';

export function registerSiteRoutes(app: FastifyInstance, rec: RecommenderApi): void {
  // Keyed by the stats object, which a recommender keeps: a reloaded model on other data draws anew.
  const charts = new WeakMap<ExploreStats, Promise<Chart[]>>();
  const dashboard = async (): Promise<{ stats: ExploreStats; charts: Chart[] } | { unavailable: string }> => {
    let stats: ExploreStats;
    try {
      stats = await rec.dataStats();
    } catch (err) {
      return { unavailable: `the dataset's files could not be read for the dashboard: ${(err as Error).message}` };
    }
    let drawn = charts.get(stats);
    if (!drawn) {
      drawn = exploreCharts(stats);
      charts.set(stats, drawn);
    }
    return { stats, charts: await drawn };
  };

  app.get<{ Querystring: CatalogueQuery }>('/api/movies', { schema: catalogueSchema }, async (req) => ({
    movies: rec.searchMovies(req.query.search, req.query.limit, req.query.genre),
  }));

  app.get<{ Params: MovieParams }>('/api/movies/:movieId', { schema: movieSchema }, async (req, reply) => {
    const movie = rec.movie(req.params.movieId);
    return movie ?? reply.status(404).send(errorBody(404, `movie ${req.params.movieId} is not in this model's catalogue`));
  });

  app.get('/api/genres', { schema: genresSchema }, async () => ({ genres: rec.genres() }));

  app.get<{ Params: UserParams; Querystring: UserQuery }>('/api/users/:userId', { schema: userSchema }, async (req, reply) => {
    const { userId } = req.params;
    const history = rec.userHistory(userId);
    if (!history) return reply.status(404).send(errorBody(404, `user ${userId} is not in this model's training data`));
    return { ...history, recommendations: await rec.forUser(userId, req.query.k) };
  });

  app.get('/api/model', { schema: modelSchema }, async () => ({ ...rec.modelCard(), serving: rec.info }));

  app.get<{ Reply: unknown }>('/api/dashboard', { schema: dashboardSchema }, async (_req, reply) => {
    const d = await dashboard();
    if ('unavailable' in d) return reply.status(503).send(errorBody(503, d.unavailable));
    return { stats: d.stats, charts: d.charts.map((c) => ({ name: c.name, title: c.title, url: `${CHARTS_URL}/${c.name}.svg` })) };
  });

  app.get<{ Params: ChartParams }>(`${CHARTS_URL}/:file`, { schema: chartSchema }, async (req, reply) => {
    const d = await dashboard();
    if ('unavailable' in d) return reply.status(503).send(errorBody(503, d.unavailable));
    const chart = d.charts.find((c) => `${c.name}.svg` === req.params.file);
    if (!chart) return reply.status(404).send(errorBody(404, `no chart ${req.params.file}; charts: ${d.charts.map((c) => `${c.name}.svg`).join(', ')}`));
    return reply.type('image/svg+xml').header('cache-control', 'max-age=3600').send(chart.svg);
  });
}
