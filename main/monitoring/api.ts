/**
 * The monitoring API's contract in one table: every route with its method, path, required scope, input schemas
 * (zod, strict: unknown parameters are errors) and response description. The server registers exactly these
 * routes and the OpenAPI document (openapi.ts) is generated from the same table, so they cannot drift apart.
 */
import { z } from 'zod';
import type { Scope } from './config';
import { alertsSchema, cashSchema, commandResultSchema, devicesSchema, journalPageSchema, statsSchema, statusSchema, whoamiSchema } from './api-responses';

export const API_PREFIX = '/api/v1';

const seq = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const isoTime = z.iso.datetime({ offset: true });

export const journalQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('entries per page (1-500, default 50)'),
  before: seq.optional().describe('cursor: entries with a smaller seq (newest first); use nextBefore of the previous page'),
  after: seq.optional().describe('entries with a larger seq, oldest first (catching up from a known point)'),
  kind: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+(\.\*)?$/, 'must be a journal kind such as "host.response" or a prefix such as "host.*"')
    .max(64)
    .optional()
    .describe('exact kind, or a prefix ending in ".*"'),
  txn: z.coerce.number().int().min(1).optional().describe('one transaction'),
  from: isoTime.optional().describe('ISO 8601 date-time, inclusive'),
  to: isoTime.optional().describe('ISO 8601 date-time, inclusive'),
});

export const statsQuerySchema = z.strictObject({
  hours: z.coerce.number().int().min(1).max(168).default(24).describe('window in hours (1-168, default 24)'),
});

export const alertsQuerySchema = z.strictObject({
  historyLimit: z.coerce.number().int().min(0).max(10_000).default(100).describe('cleared alerts returned, newest first'),
});

const reason = z
  .string()
  .min(1)
  .max(200)
  .refine((v) => ![...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'must be printable text on one line')
  .describe('free text recorded in the journal (no card data)');

export const serviceCommandSchema = z.strictObject({ reason: reason.optional() });
export const restartCommandSchema = z.strictObject({
  reason: reason.optional(),
  force: z.boolean().default(false).describe('restart even while a customer session is in progress'),
});
export const pullJournalSchema = z.strictObject({
  sinceSeq: z.number().int().min(0).optional().describe('entries with a larger seq'),
  from: isoTime.optional(),
  to: isoTime.optional(),
});

export interface RouteSpec {
  method: 'GET' | 'POST';
  path: string;
  /** Required token scope; null: public (no token). */
  scope: Scope | null;
  summary: string;
  operationId: string;
  tags: string[];
  query?: z.ZodObject;
  body?: z.ZodObject;
  /** Content types and description of the success response. */
  /** Success response; `schema` is a zod schema for JSON bodies (published in OpenAPI, used by the tests). */
  response: { status: number; description: string; contentType: string; schema?: z.ZodType };
  websocket?: boolean;
}

const json = 'application/json';

export const ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: `${API_PREFIX}/status`,
    scope: 'read',
    operationId: 'getStatus',
    tags: ['status'],
    summary: 'Application state, host link, every device, cash units, reversal queue depth, active alert count',
    response: { status: 200, contentType: json, description: 'kiosk status', schema: statusSchema },
  },
  {
    method: 'GET',
    path: `${API_PREFIX}/devices`,
    scope: 'read',
    operationId: 'getDevices',
    tags: ['status'],
    summary: 'XFS4IoT-style status of every device (card reader, dispenser, PIN pad, printer, sensors)',
    response: { status: 200, contentType: json, description: 'devices', schema: devicesSchema },
  },
  {
    method: 'GET',
    path: `${API_PREFIX}/cash`,
    scope: 'read',
    operationId: 'getCash',
    tags: ['status'],
    summary: 'Cash units: counts, capacity, fill level, value, low/high thresholds and flags; totals by currency',
    response: { status: 200, contentType: json, description: 'cash units', schema: cashSchema },
  },
  {
    method: 'GET',
    path: `${API_PREFIX}/journal`,
    scope: 'read',
    operationId: 'getJournal',
    tags: ['journal'],
    summary: 'Recent journal entries, newest first, paged with a cursor; filters by kind, transaction and time. PANs are masked (first 6 / last 4)',
    query: journalQuerySchema,
    response: { status: 200, contentType: json, description: 'one page', schema: journalPageSchema },
  },
  {
    method: 'GET',
    path: `${API_PREFIX}/transactions/stats`,
    scope: 'read',
    operationId: 'getTransactionStats',
    tags: ['journal'],
    summary: 'Host outcomes (approved, declined, host unavailable) per hour and by transaction type',
    query: statsQuerySchema,
    response: { status: 200, contentType: json, description: 'hourly buckets', schema: statsSchema },
  },
  {
    method: 'GET',
    path: `${API_PREFIX}/alerts`,
    scope: 'read',
    operationId: 'getAlerts',
    tags: ['alerts'],
    summary: 'Active alerts (most severe first) and the history of cleared ones (newest first)',
    query: alertsQuerySchema,
    response: { status: 200, contentType: json, description: 'alerts', schema: alertsSchema },
  },
  {
    method: 'GET',
    path: `${API_PREFIX}/whoami`,
    scope: 'read',
    operationId: 'whoami',
    tags: ['auth'],
    summary: 'The presented token: name, scopes and expiry',
    response: { status: 200, contentType: json, description: 'token identity', schema: whoamiSchema },
  },
  {
    method: 'POST',
    path: `${API_PREFIX}/commands/out-of-service`,
    scope: 'operate',
    operationId: 'outOfService',
    tags: ['commands'],
    summary: 'Take the ATM out of service (after the current customer); stays out until put back in service. Journaled with the token name',
    body: serviceCommandSchema,
    response: { status: 202, contentType: json, description: 'accepted', schema: commandResultSchema },
  },
  {
    method: 'POST',
    path: `${API_PREFIX}/commands/in-service`,
    scope: 'operate',
    operationId: 'inService',
    tags: ['commands'],
    summary: 'Put the ATM back in service (it stays out while a device, the host or supervisor mode keeps it out). Journaled',
    body: serviceCommandSchema,
    response: { status: 202, contentType: json, description: 'accepted', schema: commandResultSchema },
  },
  {
    method: 'POST',
    path: `${API_PREFIX}/commands/restart`,
    scope: 'operate',
    operationId: 'restart',
    tags: ['commands'],
    summary: 'Restart the kiosk application: it stops cleanly and exits with code 75, which the watchdog (or systemd) restarts. Refused (409) during a customer session unless force, and when nothing supervises the process. Journaled',
    body: restartCommandSchema,
    response: { status: 202, contentType: json, description: 'restarting', schema: commandResultSchema },
  },
  {
    method: 'POST',
    path: `${API_PREFIX}/commands/pull-journal`,
    scope: 'operate',
    operationId: 'pullJournal',
    tags: ['commands', 'journal'],
    summary: 'Export the journal as JSON lines with hashes (verifiable with atm-tools journal verify). Journaled',
    body: pullJournalSchema,
    response: { status: 200, contentType: 'application/x-ndjson', description: 'one journal entry per line' },
  },
  {
    method: 'GET',
    path: `${API_PREFIX}/stream`,
    scope: 'read',
    operationId: 'stream',
    tags: ['status'],
    websocket: true,
    summary:
      'WebSocket: a "hello" message with status and alerts, then one JSON message per status change, alert raised/cleared and journal append. Browsers pass the token as subprotocols "bearer, <token>"',
    response: { status: 101, contentType: json, description: 'switching protocols' },
  },
  {
    method: 'GET',
    path: `${API_PREFIX}/openapi.json`,
    scope: null,
    operationId: 'openapi',
    tags: ['meta'],
    summary: 'This OpenAPI 3.1 description',
    response: { status: 200, contentType: json, description: 'OpenAPI document' },
  },
  {
    method: 'GET',
    path: '/metrics',
    scope: 'read',
    operationId: 'metrics',
    tags: ['meta'],
    summary: 'Prometheus metrics: transactions by type/result, host latency, device state, cash unit levels, reversal queue depth',
    response: { status: 200, contentType: 'text/plain; version=0.0.4', description: 'Prometheus text format' },
  },
  { method: 'GET', path: '/', scope: null, operationId: 'root', tags: ['page'], summary: 'Redirects to the monitoring page', response: { status: 302, contentType: 'text/plain', description: 'redirect to /monitor/' } },
  { method: 'GET', path: '/monitor/', scope: null, operationId: 'page', tags: ['page'], summary: 'Monitoring page (asks for a token, keeps it for the browser tab only)', response: { status: 200, contentType: 'text/html', description: 'HTML page' } },
  { method: 'GET', path: '/monitor/monitor.js', scope: null, operationId: 'pageScript', tags: ['page'], summary: 'Monitoring page script', response: { status: 200, contentType: 'text/javascript', description: 'script' } },
  { method: 'GET', path: '/monitor/monitor.css', scope: null, operationId: 'pageStyle', tags: ['page'], summary: 'Monitoring page style sheet', response: { status: 200, contentType: 'text/css', description: 'style sheet' } },
];

/** Error body of every non-2xx response. */
export interface ApiError {
  error: { code: string; message: string; details?: string[] };
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** `limit: must be <= 500` style lines from a zod error. */
export function problems(e: z.ZodError): string[] {
  return e.issues.map((i) => {
    if (i.code === 'unrecognized_keys') return `${i.keys.join(', ')}: unknown parameter${i.keys.length > 1 ? 's' : ''}`;
    const path = i.path.map(String).join('.') || '(body)';
    return `${path}: ${i.message}`;
  });
}

/** Messages phrased for the caller (`limit: must be <= 500`); messages written into the schemas take precedence. */
function issueMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'too_big':
    case 'too_small': {
      const big = iss.code === 'too_big';
      const bound = big ? (iss as { maximum: number | bigint }).maximum : (iss as { minimum: number | bigint }).minimum;
      if (iss.origin === 'string') return Number(bound) === 1 && !big ? 'must not be empty' : `must be at ${big ? 'most' : 'least'} ${bound} characters long`;
      return `must be ${big ? '<=' : '>='} ${bound}`;
    }
    case 'invalid_type':
      if (iss.expected === 'object') return 'must be a JSON object';
      if (iss.expected === 'number' || iss.expected === 'int') return 'must be a whole number';
      return `must be a ${iss.expected}`;
    case 'invalid_format':
      return iss.format === 'datetime' ? 'must be an ISO 8601 date-time with a zone, e.g. 2026-01-31T08:00:00Z' : undefined;
    default:
      return undefined;
  }
}

export function parseInput<T extends z.ZodObject>(schema: T, input: unknown, where: 'query' | 'body'): z.infer<T> {
  const r = schema.safeParse(input ?? {}, { error: issueMessage });
  if (!r.success) {
    const list = problems(r.error);
    throw new HttpError(400, where === 'query' ? 'invalid_query' : 'invalid_body', `invalid ${where}: ${list.join('; ')}`, list);
  }
  return r.data;
}
