/** OpenAPI 3.1 description of the monitoring API, generated from the route table (api.ts). */
import { z } from 'zod';
import { ROUTES, type RouteSpec } from './api';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'string' } } },
    },
  },
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function parameters(r: RouteSpec): unknown[] {
  if (!r.query) return [];
  const js = z.toJSONSchema(r.query, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return { name, in: 'query', required: js.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest };
  });
}

/**
 * JSON Schema of a response body; named sub-schemas (`.meta({ id })`) go to components.schemas and are referenced
 * from there (zod emits them as local $defs).
 */
function responseSchema(schema: z.ZodType, components: Record<string, unknown>): unknown {
  const js = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown> & { $defs?: Record<string, unknown> };
  const { $defs = {}, $schema: _s, ...rest } = js;
  const relink = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll('"#/$defs/', '"#/components/schemas/')) as unknown;
  for (const [id, def] of Object.entries($defs)) components[id] = relink(def);
  return relink(rest);
}

function operation(r: RouteSpec, components: Record<string, unknown>): Record<string, unknown> {
  const body = r.response.status === 101 || r.response.status === 302 ? null : r.response.schema ? responseSchema(r.response.schema, components) : { type: 'string' };
  const responses: Record<string, unknown> = {
    [String(r.response.status)]: { description: r.response.description, ...(body ? { content: { [r.response.contentType]: { schema: body } } } : {}) },
  };
  if (r.query || r.body) responses['400'] = errorResponse('invalid parameters or body');
  if (r.body) {
    responses['413'] = errorResponse('body too large');
    responses['415'] = errorResponse('body is not application/json');
  }
  if (r.scope) {
    responses['401'] = errorResponse('missing, unknown or expired token');
    responses['403'] = errorResponse(`token lacks the "${r.scope}" scope`);
  }
  if (r.operationId === 'restart') responses['409'] = errorResponse('a customer session is in progress (pass force) or no supervisor would restart the process');
  responses['429'] = errorResponse('rate limit exceeded (see retry-after)');
  const op: Record<string, unknown> = {
    operationId: r.operationId,
    summary: r.summary,
    tags: r.tags,
    ...(r.scope ? { security: [{ bearer: [r.scope] }], 'x-required-scope': r.scope } : { security: [] }),
    responses,
  };
  const params = parameters(r);
  if (params.length) op.parameters = params;
  if (r.body) op.requestBody = { required: false, content: { 'application/json': { schema: z.toJSONSchema(r.body, { io: 'input', unrepresentable: 'any' }) } } };
  if (r.websocket) op['x-websocket'] = { subprotocols: ['bearer'], messages: ['hello', 'status', 'alert.raised', 'alert.cleared', 'journal'] };
  return op;
}

export function openApiDocument(opts: { serverUrl?: string; terminalId?: string } = {}): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, unknown> = { Error: errorSchema };
  for (const r of ROUTES) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r, schemas);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Open ATM remote monitoring API',
      version: '1.0.0',
      description:
        'Status, cash levels, journal, alerts and commands of one ATM. Bearer tokens with scopes "read" and "operate" ' +
        '(atm-tools monitoring token create). No PAN, track data, PIN or key material is ever returned.' +
        (opts.terminalId ? ` Terminal ${opts.terminalId}.` : ''),
    },
    ...(opts.serverUrl ? { servers: [{ url: opts.serverUrl }] } : {}),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'atm_... token; scopes: read, operate' } },
      schemas,
    },
    paths,
  };
}
