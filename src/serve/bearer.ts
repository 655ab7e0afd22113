/** `Authorization: Bearer <token>` for a profile's routes: 401, the same for every failure, so nothing says which profiles exist. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type Queryable } from '../store/index.js';
import { errorBody } from './errors.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]{1,200})$/;

/** A preValidation hook for routes with an `id` path parameter: the request's token must be that profile's. */
export function profileAuth(db: Queryable) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const id = (req.params as { id?: unknown }).id;
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (typeof id === 'string' && token && (await authenticate(db, id, token))) return;
    await reply
      .status(401)
      .header('www-authenticate', 'Bearer')
      .send(errorBody(401, "send this profile's token as Authorization: Bearer <token> (POST /api/profiles makes a profile and its token)"));
  };
}
