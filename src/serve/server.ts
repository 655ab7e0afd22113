/** The `ncf serve` HTTP JSON API over one loaded recommender; returned unstarted, for `inject` or `listen`. */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { RecommenderApi } from '../recommend/types.js';
import type { Db } from '../store/index.js';
import { errorHandler, notFoundHandler, validationMessage } from './errors.js';
import { registerProfileRoutes } from './profile-routes.js';
import { trackRoutes } from './route-table.js';
import { moviesQuery, recommendLikesBody, recommendUserQuery, type MoviesQuery, type RecommendLikesBody, type RecommendUserQuery } from './schemas.js';
import { registerSiteRoutes } from './site-routes.js';
import { readInputStrictly } from './strict-input.js';

export interface ServerOptions {
  /** Largest request body accepted, in bytes (MAX_LIKES ids fit in a few KiB). */
  bodyLimit?: number;
  /** fastify's request log (JSON lines on stdout). */
  logger?: boolean;
  /** Called with any error that becomes a 500; default: fastify's log at level error. */
  onInternalError?: (err: Error, req: FastifyRequest) => void;
  /** People's profiles and ratings: with a database, the /api/profiles routes are served. */
  db?: Db;
  /** Writes (new profiles, ratings) each IP may make per minute. */
  writesPerMinute?: number;
  /** The built web app (index.html and its files), served at /; none: the API alone. */
  webRoot?: string | null;
}

export const DEFAULT_WRITES_PER_MINUTE = 120;

export const DEFAULT_BODY_LIMIT = 64 * 1024;
const ROUTES = ['GET /health', 'GET /recommend?user=', 'POST /recommend', 'GET /movies?search=', 'GET /api/openapi.json (the /api routes)'];

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

  // Only the app's own files: no inline script or style, nothing from elsewhere.
  void app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
  });
  void app.register(rateLimit, { global: false });
  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'ncf serve', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  // The routes go in a plugin loaded after swagger's, so that its onRoute hook sees every one.
  void app.register(async (api) => {
    api.get('/health', async () => ({ status: 'ok', ...rec.info }));

    api.get<{ Querystring: RecommendUserQuery }>('/recommend', { schema: { querystring: recommendUserQuery } }, async (req) => {
      const { user, k, explain } = req.query;
      return rec.forUser(user, k, explain === undefined ? undefined : { explain });
    });

    api.post<{ Body: RecommendLikesBody }>('/recommend', { schema: { body: recommendLikesBody } }, async (req) => rec.forLikes(req.body.likes, req.body.k));

    api.get<{ Querystring: MoviesQuery }>('/movies', { schema: { querystring: moviesQuery } }, async (req) => ({
      movies: rec.searchMovies(req.query.search, req.query.limit),
    }));

    api.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    registerSiteRoutes(api, rec);
    if (opts.db) await registerProfileRoutes(api, rec, opts.db, { writesPerMinute: opts.writesPerMinute ?? DEFAULT_WRITES_PER_MINUTE });
  });
  // One route per file found at start (no wildcard), so an unknown path stays a 404 with the routes listed.
  if (opts.webRoot) void app.register(fastifyStatic, { root: opts.webRoot, wildcard: false, index: 'index.html', schemaHide: true });

  return app;
}
