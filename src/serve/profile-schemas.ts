/** JSON schemas of the profile routes under /api: requests checked by ajv, answers published in the OpenAPI document. */
import { MAX_K } from '../recommend/types.js';

const ERROR = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

/** 22 base64url characters: createProfile's 16 random bytes. */
const PROFILE_ID = { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' } as const;
const MOVIE_ID = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;

export const profileParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: PROFILE_ID } } as const;
export interface ProfileParams {
  id: string;
}
export const ratingParams = {
  type: 'object',
  required: ['id', 'movieId'],
  additionalProperties: false,
  properties: { id: PROFILE_ID, movieId: MOVIE_ID },
} as const;
export interface RatingParams {
  id: string;
  movieId: number;
}

/** Exactly one of the two; which one is checked by the handler, for a message that says so. */
export const ratingBody = {
  type: 'object',
  additionalProperties: false,
  properties: { rating: { type: 'integer', minimum: 1, maximum: 5 }, like: { type: 'boolean', const: true } },
} as const;
export interface RatingBody {
  rating?: number;
  like?: true;
}

export const recommendationsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { k: { type: 'integer', minimum: 1, maximum: MAX_K, default: 10 } },
} as const;
export interface RecommendationsQuery {
  k: number;
}

const STORED_RATING = {
  type: 'object',
  required: ['movieId', 'rating', 'liked', 'at'],
  properties: {
    movieId: { type: 'integer' },
    rating: { type: ['integer', 'null'] },
    liked: { type: 'boolean' },
    at: { type: 'string', format: 'date-time' },
  },
} as const;

const bearer = [{ bearer: [] }];
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ERROR]));

export const createProfileSchema = {
  summary: 'An anonymous profile: keep its token, it is shown once',
  response: {
    201: { type: 'object', required: ['id', 'token'], properties: { id: { type: 'string' }, token: { type: 'string' } } },
    ...errors(429),
  },
} as const;

export const putRatingSchema = {
  summary: "Rate a movie 1–5, or like it (the profile's token)",
  security: bearer,
  params: ratingParams,
  body: ratingBody,
  response: { 200: STORED_RATING, ...errors(400, 401, 404, 429) },
} as const;

export const deleteRatingSchema = {
  summary: 'Remove a rating',
  security: bearer,
  params: ratingParams,
  response: { 204: { type: 'null' }, ...errors(400, 401, 404, 429) },
} as const;

export const listRatingsSchema = {
  summary: "The profile's ratings, oldest first",
  security: bearer,
  params: profileParams,
  response: { 200: { type: 'object', required: ['ratings'], properties: { ratings: { type: 'array', items: STORED_RATING } } }, ...errors(400, 401) },
} as const;

export const recommendationsSchema = {
  summary: "Top-k movies from the profile's ratings, with how they were made",
  security: bearer,
  params: profileParams,
  querystring: recommendationsQuery,
  response: {
    200: {
      type: 'object',
      required: ['mode', 'reason', 'items', 'because'],
      properties: {
        mode: { type: 'string', enum: ['model', 'fold-in', 'popularity', 'popularity+genres'] },
        reason: { type: 'string' },
        items: {
          type: 'array',
          items: {
            type: 'object',
            required: ['movieId', 'title', 'genres', 'score'],
            properties: {
              movieId: { type: 'integer' },
              title: { type: 'string' },
              genres: { type: 'array', items: { type: 'string' } },
              score: { type: 'number' },
            },
          },
        },
        because: {
          type: 'array',
          items: { type: 'object', required: ['movieId', 'title'], properties: { movieId: { type: 'integer' }, title: { type: 'string' } } },
        },
      },
    },
    ...errors(400, 401),
  },
} as const;
