/** The `ncf serve` HTTP JSON API over one loaded recommender; returned unstarted, for `inject` or `listen`. */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { RecommenderApi } from '../recommend/types.js';
import { errorHandler, notFoundHandler, validationMessage } from './errors.js';
import { trackRoutes } from './route-table.js';
import { moviesQuery, recommendLikesBody, recommendUserQuery, type MoviesQuery, type RecommendLikesBody, type RecommendUserQuery } from './schemas.js';
import { readInputStrictly } from './strict-input.js';

export interface ServerOptions {
  /** Largest request body accepted, in bytes (MAX_LIKES ids fit in a few KiB). */
  bodyLimit?: number;
  /** fastify's request log (JSON lines on stdout). */
  logger?: boolean;
  /** Called with any error that becomes a 500; default: fastify's log at level error. */
  onInternalError?: (err: Error, req: FastifyRequest) => void;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;
const ROUTES = ['GET /health', 'GET /recommend?user=', 'POST /recommend', 'GET /movies?search='];

export function buildServer(rec: RecommenderApi, opts: ServerOptions = {}): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    bodyLimit,
    logger: opts.logger ?? false,
    // fastify's defaults strip unknown fields silently and coerce loosely ("likes": 5 → [5], "5" → 5,
    // ?user=0x10 → 16); reject all of them, so a typo (?usr=1) or a wrong shape is a 400. Query and
    // path values become numbers only as plain decimals (strict-input.ts).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    schemaErrorFormatter: validationMessage,
  });
  // Only JSON bodies: a text/plain body gets a 415 rather than a confusing "must be object".
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler(bodyLimit, opts.onInternalError ?? ((err, req) => req.log.error({ err }, 'internal error'))));
  readInputStrictly(app);
  app.setNotFoundHandler(notFoundHandler(ROUTES, trackRoutes(app)));

  app.get('/health', async () => ({ status: 'ok', ...rec.info }));

  app.get<{ Querystring: RecommendUserQuery }>('/recommend', { schema: { querystring: recommendUserQuery } }, async (req) => {
    const { user, k, explain } = req.query;
    return rec.forUser(user, k, explain === undefined ? undefined : { explain });
  });

  app.post<{ Body: RecommendLikesBody }>('/recommend', { schema: { body: recommendLikesBody } }, async (req) => rec.forLikes(req.body.likes, req.body.k));

  app.get<{ Querystring: MoviesQuery }>('/movies', { schema: { querystring: moviesQuery } }, async (req) => ({
    movies: rec.searchMovies(req.query.search, req.query.limit),
  }));

  return app;
}
