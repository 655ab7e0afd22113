/**
 * Every failed request gets `{ error, message }`: the HTTP status text and one line saying what
 * to change. Bad input is a 4xx; only a fault of ours is a 500, and its details go to the log only.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { NcfError } from '../util/errors.js';
import type { RouteTable } from './route-table.js';

export interface ErrorBody {
  error: string;
  message: string;
}

export function errorBody(status: number, message: string): ErrorBody {
  return { error: STATUS_CODES[status] ?? 'Error', message };
}

/** Which part of the request failed its schema (fastify does not export this type from its root). */
type RequestPart = 'body' | 'headers' | 'params' | 'querystring';

const PART_NAMES: Partial<Record<RequestPart, string>> = {
  querystring: 'query parameter',
  body: 'body field',
};

/** fastify's schemaErrorFormatter: ajv's first error as one line naming the field, e.g. "query parameter k must be <= 100". */
export function validationMessage(errors: FastifySchemaValidationError[], part: RequestPart): Error {
  const e = errors[0];
  const what = PART_NAMES[part] ?? part;
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return new Error(`${what} ${String(params.missingProperty)} is required`);
  if (e.keyword === 'additionalProperties') return new Error(`unknown ${what} ${String(params.additionalProperty)}`);
  // "/likes/3" → "likes[3]"
  const field = e.instancePath
    .slice(1)
    .replace(/\/(\d+)/g, '[$1]')
    .replaceAll('/', '.');
  if (!field) return new Error(part === 'body' ? 'request body must be a JSON object' : `${part} ${e.message}`);
  return new Error(`${what} ${field} ${e.message}`);
}

/** fastify's own 4xx errors, reworded to say what to send instead. */
const FASTIFY_MESSAGES: Record<string, (limit: number) => string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => 'request body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'request body is empty; send a JSON object',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => 'content-type must be application/json',
  FST_ERR_CTP_BODY_TOO_LARGE: (limit) => `request body is larger than ${limit} bytes`,
};

export function errorHandler(bodyLimit: number, onInternalError: (err: Error, req: FastifyRequest) => void) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    let status: number;
    let message: string;
    if (err.validation) {
      status = 400;
      message = err.message;
    } else if (err instanceof NcfError) {
      status = 400;
      message = err.message;
    } else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      message = FASTIFY_MESSAGES[err.code]?.(bodyLimit) ?? err.message;
    } else {
      onInternalError(err, req);
      status = 500;
      message = 'internal error; see the server log';
    }
    void reply.status(status).send(errorBody(status, message));
  };
}

/** An unknown path is a 404 listing the routes; a known path with another method a 405 with Allow. */
export function notFoundHandler(routes: string[], table: RouteTable) {
  return (req: FastifyRequest, reply: FastifyReply): void => {
    const path = req.url.split('?')[0];
    const allowed = table.methodsFor(path);
    if (allowed.length > 0) {
      void reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send(errorBody(405, `${req.method} is not allowed on ${path.slice(0, 200)}; use ${allowed.join(' or ')}`));
      return;
    }
    void reply.status(404).send(errorBody(404, `no route ${req.method} ${path.slice(0, 200)}; routes: ${routes.join(', ')}`));
  };
}
