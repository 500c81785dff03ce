/**
 * One validated configuration file with defaults that run the simulator out of the box (DESIGN.md, Conventions).
 * A corrupt or invalid file is a clear error naming the path and the bad value; it never half-applies.
 */
import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';

const cassette = z.object({
  id: z.string().min(1).max(16),
  denomination: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  capacity: z.number().int().positive().default(2500),
  lowThreshold: z.number().int().nonnegative().default(50),
});

export const configSchema = z
  .object({
    terminal: z
      .object({
        id: z.string().regex(/^[\x20-\x7e]{1,8}$/, 'terminal id is ans8').default('ATM00001'),
        acceptorId: z.string().regex(/^[\x20-\x7e]{1,15}$/).default('OPENATM00000001'),
        location: z.string().max(40).default('Open ATM Lab            Springfield   US'),
        acquirerId: z.string().regex(/^\d{1,11}$/).default('123456'),
        currency: z.string().regex(/^[A-Z]{3}$/).default('USD'),
        currencyNumeric: z.string().regex(/^\d{3}$/).default('840'),
        countryNumeric: z.string().regex(/^\d{3}$/).default('840'),
        locale: z.string().default('en-US'),
        /** ISO 3166-1 alpha-2 country and city, shown in the cardless QR (EMVCo tags 58 and 60). */
        country: z.string().regex(/^[A-Z]{2}$/).default('US'),
        city: z.string().min(1).max(15).default('Springfield'),
        /** Languages offered on the welcome screen (catalogues in renderer/i18n). */
        languages: z.array(z.enum(['en', 'zh'])).min(1).default(['en', 'zh']),
        /** Amounts offered as fast cash, in minor units. */
        fastCash: z.array(z.number().int().positive()).max(6).default([2000, 4000, 6000, 10000, 20000]),
        maxWithdrawal: z.number().int().positive().default(50000),
      })
      .prefault({}),
    host: z
      .object({
        /** embedded: start the host simulator on loopback; remote: connect to host:port. */
        mode: z.enum(['embedded', 'remote']).default('embedded'),
        address: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(0),
        packager: z.enum(['iso87a', 'iso87b']).default('iso87a'),
        framing: z.enum(['binary2', 'ascii4']).default('binary2'),
        requestTimeoutMs: z.number().int().positive().default(20000),
        /** Simulated host latency (embedded host only). */
        latencyMs: z.number().int().nonnegative().default(150),
      })
      .prefault({}),
    pinpad: z
      .object({
        minPinLength: z.number().int().min(4).max(12).default(4),
        maxPinLength: z.number().int().min(4).max(12).default(6),
        /** Test PIN encryption key (TDES, hex) shared with the embedded host as its zone PIN key. Simulator only. */
        testPinKey: z.string().regex(/^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{48})$/).default('0123456789ABCDEFFEDCBA9876543210'),
      })
      .prefault({}),
    simulator: z
      .object({
        /** Multiplies every mechanical delay; 0 in tests. */
        timeScale: z.number().min(0).max(10).default(1),
        cassettes: z.array(cassette).min(1).max(8).default([
          { id: 'CST1', denomination: 2000, count: 500, capacity: 2500, lowThreshold: 50 },
          { id: 'CST2', denomination: 5000, count: 300, capacity: 2500, lowThreshold: 30 },
          { id: 'CST3', denomination: 10000, count: 200, capacity: 2500, lowThreshold: 20 },
        ]),
        retainBinCapacity: z.number().int().positive().default(50),
        /** Faults injected at start-up (same names as the fascia's fault menu), e.g. { "printer": "paperOut" }. */
        faults: z
          .object({
            cardReader: z.string().optional(),
            dispenser: z.string().optional(),
            printer: z.string().optional(),
            host: z.string().optional(),
          })
          .strict()
          .prefault({}),
        paperLength: z.number().int().positive().default(400),
      })
      .prefault({}),
    timers: z
      .object({
        cardTakeMs: z.number().int().positive().default(30000),
        cashTakeMs: z.number().int().positive().default(30000),
        screenTimeoutMs: z.number().int().positive().default(30000),
        moreTimeMs: z.number().int().positive().default(15000),
        messageMs: z.number().int().positive().default(4000),
      })
      .prefault({}),
    /** Device profile: each device is simulated (default) or a real adapter on a serial port / HID. */
    devices: z
      .object({
        cardReader: z
          .discriminatedUnion('kind', [
            z.object({ kind: z.literal('simulator') }),
            z.object({ kind: z.literal('sankyo'), port: z.string().min(1), baudRate: z.number().int().positive().default(38400) }),
            z.object({ kind: z.literal('magtek'), vendorId: z.number().int().min(0).max(0xffff).default(0x0801) }),
            z.object({ kind: z.literal('xfs4iot'), uri: z.string().regex(/^wss?:\/\//) }),
          ])
          .default({ kind: 'simulator' }),
        dispenser: z
          .discriminatedUnion('kind', [
            z.object({ kind: z.literal('simulator') }),
            z.object({
              kind: z.literal('puloon'),
              port: z.string().min(1),
              baudRate: z.number().int().positive().default(9600),
              upper: z.object({ id: z.string().default('UPPER'), denomination: z.number().int().positive(), initialCount: z.number().int().nonnegative(), capacity: z.number().int().positive().default(2000), lowThreshold: z.number().int().nonnegative().default(50) }),
              lower: z.object({ id: z.string().default('LOWER'), denomination: z.number().int().positive(), initialCount: z.number().int().nonnegative(), capacity: z.number().int().positive().default(2000), lowThreshold: z.number().int().nonnegative().default(50) }),
              rejectCapacity: z.number().int().positive().default(200),
            }),
            z.object({ kind: z.literal('xfs4iot'), uri: z.string().regex(/^wss?:\/\//) }),
          ])
          .default({ kind: 'simulator' }),
        printer: z
          .discriminatedUnion('kind', [
            z.object({ kind: z.literal('simulator') }),
            z.object({ kind: z.literal('escpos'), port: z.string().min(1), baudRate: z.number().int().positive().default(19200), width: z.number().int().min(24).max(64).default(42) }),
            z.object({ kind: z.literal('xfs4iot'), uri: z.string().regex(/^wss?:\/\//) }),
          ])
          .default({ kind: 'simulator' }),
      })
      .prefault({}),
    /** Publish this kiosk's devices as XFS4IoT services over WebSocket (loopback only). */
    xfs4iot: z
      .object({
        publish: z.boolean().default(false),
        port: z.number().int().min(0).max(65535).default(5846),
      })
      .prefault({}),
    journal: z
      .object({
        /** Rows older than this are archived to dataDir/journal-archive at start-up (0 = keep everything). */
        retentionDays: z.number().int().nonnegative().default(400),
      })
      .prefault({}),
    emv: z
      .object({
        /** Use the chip of chip cards (service code 2xx/6xx). */
        enabled: z.boolean().default(true),
        /** Magstripe fallback after a technical chip failure (never for UnionPay cards in China). */
        fallback: z.boolean().default(true),
      })
      .prefault({}),
    cardless: z
      .object({
        qr: z.boolean().default(true),
        oneTimeCode: z.boolean().default(true),
        /** Whether a one-time code withdrawal also asks for the card PIN (bank policy). */
        oneTimeCodePin: z.boolean().default(false),
        qrTimeoutMs: z.number().int().positive().default(120000),
        pollIntervalMs: z.number().int().positive().default(2000),
      })
      .prefault({}),
    ui: z
      .object({
        port: z.number().int().min(0).max(65535).default(0),
        openBrowser: z.boolean().default(true),
      })
      .prefault({}),
    dataDir: z.string().default('var'),
  })
  .strict();

export type KioskConfig = z.infer<typeof configSchema>;
export type KioskConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseConfig(input: unknown, source = 'config'): KioskConfig {
  const r = configSchema.safeParse(input ?? {});
  if (!r.success) {
    const details = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new ConfigError(`${source} is invalid:\n${details}`);
  }
  return r.data;
}

export function loadConfig(path: string | undefined): KioskConfig {
  if (!path || !existsSync(path)) return parseConfig({}, 'defaults');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw, path);
}
