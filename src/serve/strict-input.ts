/**
 * Query strings and path parameters read strictly. ajv's own coercion takes whatever Number()
 * takes ("0x10" is 16, "1e400" is Infinity and passes as an integer, " 16" is 16), and it coerces
 * JSON bodies too ("5" for 5). So ajv coerces nothing, and this hook turns a query or path value
 * into a number only when it is written as a plain decimal integer, and into a boolean only when
 * it is "true" or "false"; anything else stays a string, for the schema to refuse in one line.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

const DECIMAL_INTEGER = /^-?(0|[1-9][0-9]{0,15})$/;
const BOOLEANS: Record<string, boolean> = { true: true, false: false };

interface PropertySchema {
  type?: string;
}

/** Converts record[name] by properties[name].type, in place. */
function convert(record: Record<string, unknown>, properties: Record<string, PropertySchema>): void {
  for (const [name, value] of Object.entries(record)) {
    if (typeof value !== 'string') continue;
    const type = properties[name]?.type;
    if (type === 'integer' && DECIMAL_INTEGER.test(value)) record[name] = Number(value);
    else if (type === 'boolean' && value in BOOLEANS) record[name] = BOOLEANS[value];
  }
}

function propertiesOf(schema: unknown): Record<string, PropertySchema> | null {
  const p = (schema as { properties?: Record<string, PropertySchema> } | undefined)?.properties;
  return p ?? null;
}

/** Registers the conversion on every route added after it, for the parts its schema types. */
export function readInputStrictly(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const query = propertiesOf(route.schema?.querystring);
    const params = propertiesOf(route.schema?.params);
    if (!query && !params) return;
    const hook = async (req: { query: unknown; params: unknown }): Promise<void> => {
      if (query && req.query) convert(req.query as Record<string, unknown>, query);
      if (params && req.params) convert(req.params as Record<string, unknown>, params);
    };
    const existing = route.preValidation;
    route.preValidation = existing ? [...(Array.isArray(existing) ? existing : [existing]), hook] : hook;
  });
}
