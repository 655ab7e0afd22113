/** JSON schemas of the `ncf serve` requests, checked by fastify's ajv before a handler runs. */
import { MAX_K, MAX_LIKES } from '../recommend/types.js';

/** MovieLens ids are positive 32-bit integers; the bound keeps 1e20 and the like out. */
const ID = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;
const K = { type: 'integer', minimum: 1, maximum: MAX_K, default: 10 } as const;

export const MAX_SEARCH_LENGTH = 100;
export const MAX_SEARCH_LIMIT = 50;

export const recommendUserQuery = {
  type: 'object',
  required: ['user'],
  additionalProperties: false,
  properties: { user: ID, k: K, explain: { type: 'boolean' } },
} as const;
export interface RecommendUserQuery {
  user: number;
  k: number;
  explain?: boolean;
}

export const recommendLikesBody = {
  type: 'object',
  required: ['likes'],
  additionalProperties: false,
  properties: { likes: { type: 'array', items: ID, minItems: 1, maxItems: MAX_LIKES }, k: K },
} as const;
export interface RecommendLikesBody {
  likes: number[];
  k: number;
}

export const moviesQuery = {
  type: 'object',
  required: ['search'],
  additionalProperties: false,
  properties: {
    search: { type: 'string', minLength: 1, maxLength: MAX_SEARCH_LENGTH },
    limit: { type: 'integer', minimum: 1, maximum: MAX_SEARCH_LIMIT, default: 10 },
  },
} as const;
export interface MoviesQuery {
  search: string;
  limit: number;
}
