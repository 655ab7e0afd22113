/**
 * People's profiles under /api: an anonymous profile and its token, its ratings (each in the
 * database before the answer is sent), and recommendations folded in from them. Every route of a
 * profile needs its token; writes are rate-limited per IP.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { RecommenderApi } from '../recommend/types.js';
import { createProfile, type Db, deleteRating, FEEDBACK_CHANNEL, listRatings, parseFeedbackNotice, putRating } from '../store/index.js';
import { NcfError } from '../util/errors.js';
import { profileAuth } from './bearer.js';
import { errorBody } from './errors.js';
import { RecommendationCache, recommendForRatings } from './profile-recommendations.js';
import {
  createProfileSchema,
  deleteRatingSchema,
  listRatingsSchema,
  type ProfileParams,
  putRatingSchema,
  type RatingBody,
  type RatingParams,
  type RecommendationsQuery,
  recommendationsSchema,
} from './profile-schemas.js';

export interface ProfileRouteOptions {
  /** Writes (new profiles, ratings) per IP per minute. */
  writesPerMinute: number;
}

/** Registers the routes; resolves once the feedback NOTIFY is listened to (another server's ratings then clear this one's cache). */
export async function registerProfileRoutes(app: FastifyInstance, rec: RecommenderApi, db: Db, o: ProfileRouteOptions): Promise<void> {
  const cache = new RecommendationCache();
  // This server's writes drop the cache when they commit; their notices, named with its origin,
  // come back later and would drop the answer computed since.
  const origin = randomUUID();
  const unlisten = await db.listen(FEEDBACK_CHANNEL, (payload) => {
    const notice = parseFeedbackNotice(payload);
    if (notice && notice.origin !== origin) cache.drop(notice.profileId);
  });
  app.addHook('onClose', async () => unlisten());
  const auth = profileAuth(db);
  const limited = { rateLimit: { max: o.writesPerMinute, timeWindow: '1 minute' } };

  app.post('/api/profiles', { schema: createProfileSchema, config: limited }, async (_req, reply) => {
    return reply.status(201).send(await createProfile(db));
  });

  app.put<{ Params: RatingParams; Body: RatingBody }>(
    '/api/profiles/:id/ratings/:movieId',
    { schema: putRatingSchema, config: limited, preValidation: auth },
    async (req, reply) => {
      const { id, movieId } = req.params;
      const { rating, like } = req.body ?? {};
      if ((rating === undefined) === (like === undefined)) throw new NcfError('send exactly one of {"rating": 1..5} or {"like": true}');
      if (!rec.movie(movieId)) return reply.status(404).send(errorBody(404, `movie ${movieId} is not in this model's catalogue`));
      const stored = await putRating(db, id, movieId, rating !== undefined ? { rating } : { like: true }, origin);
      cache.drop(id);
      return stored;
    },
  );

  app.delete<{ Params: RatingParams }>(
    '/api/profiles/:id/ratings/:movieId',
    { schema: deleteRatingSchema, config: limited, preValidation: auth },
    async (req, reply) => {
      const { id, movieId } = req.params;
      if (!(await deleteRating(db, id, movieId, origin))) return reply.status(404).send(errorBody(404, `this profile has no rating of movie ${movieId}`));
      cache.drop(id);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: ProfileParams }>('/api/profiles/:id/ratings', { schema: listRatingsSchema, preValidation: auth }, async (req) => ({
    ratings: await listRatings(db, req.params.id),
  }));

  app.get<{ Params: ProfileParams; Querystring: RecommendationsQuery }>(
    '/api/profiles/:id/recommendations',
    { schema: recommendationsSchema, preValidation: auth },
    async (req) => {
      const { id } = req.params;
      const { k } = req.query;
      const info = rec.info;
      const hit = cache.get(id, k, info);
      if (hit) return hit;
      const begun = cache.generation();
      const answer = await recommendForRatings(rec, await listRatings(db, id), k);
      cache.set(id, k, info, answer, begun);
      return answer;
    },
  );
}
