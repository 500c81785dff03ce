/**
 * Response bodies of the monitoring API as zod schemas: the OpenAPI document publishes them (openapi.ts) and the
 * tests parse real responses with them, so the description cannot drift from what the server sends. Device
 * statuses are open objects (XFS4IoT-style fields that grow with the device classes); everything else is strict.
 */
import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: true });
const severity = z.enum(['critical', 'warning', 'info']);

export const alertSchema = z.strictObject({ id: z.string(), severity, since: isoTime, message: z.string() }).meta({ id: 'Alert' });
export const clearedAlertSchema = alertSchema.extend({ clearedAt: isoTime }).meta({ id: 'ClearedAlert' });

const device = z.looseObject({ device: z.string().describe('XFS4IoT Common.Status device state: online, offline, hardwareError, ...') });
export const devicesSchema = z
  .strictObject({
    cardReader: device,
    dispenser: device,
    pinpad: device,
    printer: device,
    sensors: z.looseObject({ operatorSwitch: z.string(), safeDoor: z.string() }),
  })
  .meta({ id: 'Devices' });

const unitType = z.enum(['dispense', 'reject', 'retract']);
const cashUnitSchema = z
  .looseObject({ id: z.string(), type: unitType, currency: z.string(), denomination: z.number().int(), count: z.number().int(), capacity: z.number().int(), lowThreshold: z.number().int(), state: z.string() })
  .meta({ id: 'CashUnit' });

export const statusSchema = z
  .strictObject({
    terminalId: z.string(),
    app: z.enum(['starting', 'inService', 'inSession', 'outOfService', 'supervisor']),
    forcedOut: z.boolean().describe('out of service by command (stays out until put back)'),
    host: z.strictObject({ online: z.boolean() }),
    devices: devicesSchema,
    cashUnits: z.array(cashUnitSchema),
    reversalQueueDepth: z.number().int().min(0),
    cashLeftInSlot: z.boolean().describe('notes left in the open output slot after the cash-take timer (no-retract policy)'),
    at: isoTime,
    alerts: z.strictObject({ critical: z.number().int(), warning: z.number().int(), info: z.number().int() }).describe('active alerts by severity'),
  })
  .meta({ id: 'Status' });

export const cashUnitViewSchema = z
  .strictObject({
    id: z.string(),
    type: unitType,
    currency: z.string(),
    denomination: z.number().int().describe('minor units'),
    count: z.number().int(),
    capacity: z.number().int(),
    level: z.number().min(0).max(1).describe('count / capacity'),
    value: z.number().int().describe('count x denomination, minor units (0 for bins)'),
    lowThreshold: z.number().int(),
    highThreshold: z.number().int().nullable(),
    state: z.string(),
    low: z.boolean(),
    empty: z.boolean(),
    high: z.boolean(),
    full: z.boolean(),
  })
  .meta({ id: 'CashUnitView' });
export const cashSchema = z.strictObject({ units: z.array(cashUnitViewSchema), totals: z.record(z.string(), z.number().int()).describe('dispensable value by currency, minor units') }).meta({ id: 'Cash' });

export const journalEntrySchema = z
  .strictObject({
    seq: z.number().int(),
    ts: isoTime,
    txn: z.number().int().nullable(),
    kind: z.string(),
    maskedPan: z.string().nullable().describe('first 6 / last 4'),
    data: z.record(z.string(), z.unknown()),
    hash: z.string().regex(/^[0-9a-f]{64}$/).describe('hash chain link (SHA-256)'),
  })
  .meta({ id: 'JournalEntry' });
export const journalPageSchema = z
  .strictObject({ entries: z.array(journalEntrySchema), nextBefore: z.number().int().nullable().describe('cursor for the next older page'), nextAfter: z.number().int().nullable() })
  .meta({ id: 'JournalPage' });

const outcomeCounts = z.strictObject({ approved: z.number().int(), declined: z.number().int(), hostUnavailable: z.number().int() });
export const statsSchema = z
  .strictObject({ from: isoTime, to: isoTime, hours: z.array(outcomeCounts.extend({ hour: isoTime })), byType: z.record(z.string(), outcomeCounts) })
  .meta({ id: 'TransactionStats' });

export const alertsSchema = z.strictObject({ active: z.array(alertSchema), history: z.array(clearedAlertSchema) }).meta({ id: 'Alerts' });
export const whoamiSchema = z.strictObject({ name: z.string(), scopes: z.array(z.enum(['read', 'operate'])), expiresAt: isoTime }).meta({ id: 'Token' });
export const commandResultSchema = z
  .strictObject({
    command: z.enum(['out-of-service', 'in-service', 'restart']),
    by: z.string().describe('remote:<token name>, as journaled'),
    journalSeq: z.number().int().describe('seq of the remote.command journal entry'),
    app: z.string(),
    forcedOut: z.boolean().optional(),
    exitCode: z.number().int().optional().describe('restart: the exit code the supervisor sees'),
  })
  .meta({ id: 'CommandResult' });
