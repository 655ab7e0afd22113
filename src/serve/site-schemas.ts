/** JSON schemas of the site's read-only routes under /api: the catalogue, MovieLens users, the model card and the data dashboard. */
import { MAX_K } from '../recommend/types.js';
import { MAX_SEARCH_LENGTH, MAX_SEARCH_LIMIT } from './schemas.js';

const ERROR = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ERROR]));
const ID = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;

const MOVIE = {
  type: 'object',
  required: ['movieId', 'title', 'genres'],
  properties: { movieId: { type: 'integer' }, title: { type: 'string' }, genres: { type: 'array', items: { type: 'string' } } },
} as const;

export const catalogueQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    search: { type: 'string', maxLength: MAX_SEARCH_LENGTH, default: '' },
    genre: { type: 'string', minLength: 1, maxLength: 40 },
    limit: { type: 'integer', minimum: 1, maximum: MAX_SEARCH_LIMIT, default: 20 },
  },
} as const;
export interface CatalogueQuery {
  search: string;
  genre?: string;
  limit: number;
}

export const catalogueSchema = {
  summary: 'Movies whose title contains `search` (all with none) and, with `genre`, that list it; most watched first',
  querystring: catalogueQuery,
  response: { 200: { type: 'object', required: ['movies'], properties: { movies: { type: 'array', items: MOVIE } } }, ...errors(400) },
} as const;

export const movieParams = { type: 'object', required: ['movieId'], additionalProperties: false, properties: { movieId: ID } } as const;
export interface MovieParams {
  movieId: number;
}
export const movieSchema = {
  summary: 'One movie, with its training interactions and popularity rank',
  params: movieParams,
  response: {
    200: {
      type: 'object',
      required: [...MOVIE.required, 'interactions', 'popularityRank'],
      properties: { ...MOVIE.properties, interactions: { type: 'integer' }, popularityRank: { type: 'integer' } },
    },
    ...errors(400, 404),
  },
} as const;

export const genresSchema = {
  summary: "Every genre of the model's catalogue, alphabetically",
  response: { 200: { type: 'object', required: ['genres'], properties: { genres: { type: 'array', items: { type: 'string' } } } } },
} as const;

export const userParams = { type: 'object', required: ['userId'], additionalProperties: false, properties: { userId: ID } } as const;
export interface UserParams {
  userId: number;
}
export const userQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { k: { type: 'integer', minimum: 1, maximum: MAX_K, default: 10 } },
} as const;
export interface UserQuery {
  k: number;
}
export const userSchema = {
  summary: "A MovieLens user's training movies, held-out movie and recommendations (for demos)",
  params: userParams,
  querystring: userQuery,
  response: {
    200: {
      type: 'object',
      required: ['user', 'training', 'newestFirst', 'heldOut', 'recommendations'],
      properties: {
        user: { type: 'integer' },
        training: { type: 'array', items: MOVIE },
        newestFirst: { type: 'integer' },
        heldOut: { anyOf: [MOVIE, { type: 'null' }] },
        recommendations: {
          type: 'object',
          required: ['mode', 'reason', 'items'],
          properties: {
            mode: { type: 'string' },
            reason: { type: 'string' },
            items: {
              type: 'array',
              items: { type: 'object', required: [...MOVIE.required, 'score'], properties: { ...MOVIE.properties, score: { type: 'number' } } },
            },
          },
        },
      },
    },
    ...errors(400, 404),
  },
} as const;

export const modelSchema = {
  summary: 'The model card: which model, its dataset, HR@k and NDCG@k under both protocols, training time',
  // The card's shape is ModelCard (src/recommend/model-card.ts); sent as it is.
  response: { 200: { type: 'object', additionalProperties: true } },
} as const;

export const dashboardSchema = {
  summary: "The data dashboard: the dataset's `ncf data explore` statistics and the URLs of its charts (SVG)",
  response: {
    200: {
      type: 'object',
      required: ['stats', 'charts'],
      properties: {
        stats: { type: 'object', additionalProperties: true },
        charts: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'title', 'url'],
            properties: { name: { type: 'string' }, title: { type: 'string' }, url: { type: 'string' } },
          },
        },
      },
    },
    ...errors(503),
  },
} as const;

export const chartParams = {
  type: 'object',
  required: ['file'],
  additionalProperties: false,
  properties: { file: { type: 'string', pattern: '^[a-z0-9-]{1,60}\\.svg$' } },
} as const;
export interface ChartParams {
  file: string;
}
export const chartSchema = {
  summary: 'One chart of the data dashboard, as SVG',
  params: chartParams,
  produces: ['image/svg+xml'],
  response: { ...errors(400, 404, 503) },
} as const;
