/**
 * One validated configuration file with defaults that run the simulator out of the box (DESIGN.md, Conventions).
 * A corrupt or invalid file is a clear error naming the path and the bad value; it never half-applies:
 * `host.port: must be <= 65535`, `host.foo: unknown key` (every object is strict), invalid JSON with its line
 * and column. Profiles: `simulator` (default) and `hardware` (real adapters, see applyProfileDefaults).
 * config.schema.json is generated from this schema (`npm run config:schema`, main/config/json-schema.ts).
 */
import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { monitoringConfigSchema } from '../monitoring/config';

const cassette = z.strictObject({
  id: z.string().min(1).max(16),
  denomination: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  capacity: z.number().int().positive().default(2500),
  lowThreshold: z.number().int().nonnegative().default(50),
});

/** A serial device path (`/dev/ttyUSB0`, `/dev/serial/by-id/...`, `COM3`). */
const serialPort = (fallback: string) => z.string().min(1).default(fallback).describe(`serial port path (default ${fallback})`);
/** A USB vendor/product id: a number or a "0x" hex string (JSON has no hex literals). */
const usbId = z.union([
  z.number().int().min(0).max(0xffff),
  z
    .string()
    .regex(/^0x[0-9a-fA-F]{1,4}$/, 'must be a number or a hex string like "0x0801"')
    .transform((v) => parseInt(v, 16)),
]);

/** Operations: logs, watchdog, storage guard, kiosk shell. Every key optional. */
const ops = z
  .strictObject({
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
        /** Rotate when a file reaches this size (MB) ... */
        maxSizeMb: z.number().int().min(1).max(1024).default(10).describe('rotate a log file at this size (MB)'),
        /** ... or every day, whichever comes first. */
        frequency: z.enum(['daily', 'hourly']).default('daily'),
        /** Rotated files kept. */
        keepFiles: z.number().int().min(1).max(365).default(30),
        /** Also log to stdout (default: only when not packaged / in development). */
        stdout: z.boolean().optional(),
      })
      .prefault({}),
    watchdog: z
      .strictObject({
        /** How often the core sends a heartbeat to the watchdog. */
        heartbeatMs: z.number().int().min(100).max(60_000).default(2000),
        /** Heartbeats missed in a row before the core is considered hung (SIGKILL and restart). */
        missedHeartbeats: z.number().int().min(2).max(100).default(5),
        /** Time the core has to send its first heartbeat after (re)start. */
        startupGraceMs: z.number().int().min(1000).default(60_000),
        backoffInitialMs: z.number().int().min(0).default(1000),
        backoffMaxMs: z.number().int().min(0).default(60_000),
        /** Crash-loop limit: more than maxRestarts restarts within windowMs and the watchdog gives up (exit 70). */
        maxRestarts: z.number().int().min(1).default(5),
        windowMs: z.number().int().min(1000).default(600_000),
      })
      .prefault({}),
    storage: z
      .strictObject({
        /** Below this much free space on the data directory's file system the kiosk goes out of service. */
        minFreeMb: z.number().int().min(1).default(200),
        /** Below this a warning is logged (and the status shows it). */
        warnFreeMb: z.number().int().min(1).default(1024),
        checkIntervalMs: z.number().int().min(1000).default(60_000),
      })
      .prefault({}),
    kiosk: z
      .strictObject({
        /** Start with the session (XDG autostart / Windows login item). */
        autoStart: z.boolean().default(true),
        preventDisplaySleep: z.boolean().default(true),
      })
      .prefault({}),
  })
  .prefault({});

export const PROFILES = ['simulator', 'hardware'] as const;
const HARDWARE_KINDS = { cardReader: 'kind "sankyo", "magtek" or "xfs4iot"', dispenser: 'kind "puloon" or "xfs4iot"', printer: 'kind "escpos" or "xfs4iot"' } as const;

export const configSchema = z
  .strictObject({
    /** Editors: path or URL of config.schema.json. Ignored by the kiosk. */
    $schema: z.string().optional(),
    /** Free-form notes for whoever edits the file. Ignored by the kiosk. */
    $comment: z.union([z.string(), z.array(z.string())]).optional(),
    /**
     * simulator (default): every device simulated unless `devices` names an adapter.
     * hardware: real adapters; card reader and printer default to Sankyo and ESC/POS on /dev/ttyUSB0 and
     * /dev/ttyUSB2, the dispenser must be configured (its cassette denominations cannot be guessed).
     */
    profile: z.enum(PROFILES).default('simulator'),
    terminal: z
      .strictObject({
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
        /**
         * Cash not taken before the timer: `retract` it into the retract bin and reverse the withdrawal, or
         * `leave` it in the open slot (where the regulator or the bank forbids retracting, against transaction
         * reversal fraud): the customer stays debited and the kiosk waits until the notes are taken.
         */
        cashNotTaken: z.enum(['retract', 'leave']).default('retract'),
        /** Offer transfers between the card's savings and checking accounts (card sessions; the host must support processing code 40). */
        transfers: z.boolean().default(true),
        /** Largest transfer, in minor units (the host applies its own limits too). */
        maxTransfer: z.number().int().positive().default(500000),
      })
      .prefault({}),
    host: z
      .strictObject({
        /** embedded: start the host simulator on loopback; remote: connect to host:port. */
        mode: z.enum(['embedded', 'remote']).default('embedded'),
        address: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(0),
        packager: z.enum(['iso87a', 'iso87b']).default('iso87a'),
        framing: z.enum(['binary2', 'ascii4']).default('binary2'),
        requestTimeoutMs: z.number().int().positive().default(20000),
        /** Echo test (0800/301) period while the link is idle and online. */
        echoIntervalMs: z.number().int().min(1000).max(3_600_000).default(60_000),
        /** Echo period while connected but offline (probing for the host's return). */
        offlineEchoIntervalMs: z.number().int().min(500).max(600_000).default(5000),
        /** Consecutive request timeouts that take the link (and the ATM) offline. */
        offlineAfterTimeouts: z.number().int().min(1).max(100).default(3),
        /** Simulated host latency (embedded host only). */
        latencyMs: z.number().int().nonnegative().default(150),
        /**
         * MAC on 0100/0200/042x and their responses (field 64/128) under the PIN pad's key "MAC": ANSI X9.19 or
         * AES-CMAC. The embedded host shares a fresh key at every start; a remote host's key comes by key exchange.
         */
        mac: z.enum(['none', 'x919', 'aes-cmac']).default('none'),
        /** After each sign-on, fetch a new MAC key (0800/161 -> TR-31 block under the master key TMK). */
        keyExchange: z.boolean().default(false),
      })
      .prefault({}),
    pinpad: z
      .strictObject({
        minPinLength: z.number().int().min(4).max(12).default(4),
        maxPinLength: z.number().int().min(4).max(12).default(6),
        /** Test PIN encryption key (TDES, hex) shared with the embedded host as its zone PIN key. Simulator only. */
        testPinKey: z.string().regex(/^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{48})$/).default('0123456789ABCDEFFEDCBA9876543210'),
      })
      .prefault({}),
    simulator: z
      .strictObject({
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
      .strictObject({
        cardTakeMs: z.number().int().positive().default(30000),
        cashTakeMs: z.number().int().positive().default(30000),
        screenTimeoutMs: z.number().int().positive().default(30000),
        moreTimeMs: z.number().int().positive().default(15000),
        messageMs: z.number().int().positive().default(4000),
      })
      .prefault({}),
    /** Device profile: each device is simulated (default) or a real adapter on a serial port / HID. */
    devices: z
      .strictObject({
        cardReader: z
          .discriminatedUnion('kind', [
            z.strictObject({ kind: z.literal('simulator') }),
            z.strictObject({ kind: z.literal('sankyo'), port: serialPort('/dev/ttyUSB0'), baudRate: z.number().int().positive().default(38400) }),
            z.strictObject({
              kind: z.literal('magtek'),
              vendorId: usbId.default(0x0801),
              /** USB product ids to accept (default: the common MagTek swipe readers 0x0001/0x0002/0x0011). */
              productIds: z.array(usbId).min(1).optional().describe('USB product ids to accept, numbers or "0x" hex strings'),
              /**
               * Chip contacts on a PC/SC reader (pcscd), used with the MagTek head as one card reader: tracks from the
               * swipe, chip (ATR, APDUs) through PC/SC. Needs the optional `smartcard` module and libpcsclite.
               */
              chip: z
                .strictObject({
                  kind: z.literal('pcsc'),
                  /** Part of the PC/SC reader name (case-insensitive); default: the first reader. */
                  reader: z.string().min(1).optional(),
                  /** How long after the swipe the card may take to reach the contacts. */
                  settleMs: z.number().int().positive().default(3000),
                })
                .optional(),
            }),
            z.strictObject({ kind: z.literal('xfs4iot'), uri: z.string().regex(/^wss?:\/\//) }),
          ])
          .default({ kind: 'simulator' }),
        dispenser: z
          .discriminatedUnion('kind', [
            z.strictObject({ kind: z.literal('simulator') }),
            z.strictObject({
              kind: z.literal('puloon'),
              port: serialPort('/dev/ttyUSB1'),
              baudRate: z.number().int().positive().default(9600),
              upper: z.strictObject({ id: z.string().default('UPPER'), denomination: z.number().int().positive(), initialCount: z.number().int().nonnegative(), capacity: z.number().int().positive().default(2000), lowThreshold: z.number().int().nonnegative().default(50) }),
              lower: z.strictObject({ id: z.string().default('LOWER'), denomination: z.number().int().positive(), initialCount: z.number().int().nonnegative(), capacity: z.number().int().positive().default(2000), lowThreshold: z.number().int().nonnegative().default(50) }),
              rejectCapacity: z.number().int().positive().default(200),
            }),
            z.strictObject({ kind: z.literal('xfs4iot'), uri: z.string().regex(/^wss?:\/\//) }),
          ])
          .default({ kind: 'simulator' }),
        printer: z
          .discriminatedUnion('kind', [
            z.strictObject({ kind: z.literal('simulator') }),
            z.strictObject({ kind: z.literal('escpos'), port: serialPort('/dev/ttyUSB2'), baudRate: z.number().int().positive().default(19200), width: z.number().int().min(24).max(64).default(42) }),
            z.strictObject({ kind: z.literal('xfs4iot'), uri: z.string().regex(/^wss?:\/\//) }),
          ])
          .default({ kind: 'simulator' }),
      })
      .prefault({}),
    /** Publish this kiosk's devices as XFS4IoT services over WebSocket (loopback only). */
    xfs4iot: z
      .strictObject({
        publish: z.boolean().default(false),
        port: z.number().int().min(0).max(65535).default(5846),
      })
      .prefault({}),
    /** Branch staff (supervisor mode): operator accounts and dual control (README, "Branch staff"). */
    supervisor: z
      .strictObject({
        /** Wrong passwords in a row before an operator is locked (an admin unlocks it with a new one-time password). */
        maxFailedLogins: z.number().int().min(1).max(20).default(5),
        /** Operator passwords are digits typed on the PIN pad: this many at least (at most 16). */
        minPasswordLength: z.number().int().min(6).max(16).default(8),
        /** A cash count change (replenishment) takes effect only when a second custodian or an admin confirms it. */
        dualControlCash: z.boolean().default(true),
        /** Log the operator out after this long without a key press (0 = never). */
        idleLogoutMs: z.number().int().nonnegative().default(300_000),
        /**
         * The first administrator, used only while no operator exists: an scrypt hash made with
         * `node --import tsx main/supervisor/hash-password.ts` (never a clear password); it must be changed at
         * first login. Without it the simulator profile seeds admin 1000 / 13572468 (also must change) and the
         * hardware profile has no operator until this is configured.
         */
        firstAdmin: z
          .strictObject({
            operatorId: z.string().regex(/^\d{3,8}$/, 'operator id is 3 to 8 digits'),
            passwordHash: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'must be an scrypt hash from main/supervisor/hash-password.ts'),
          })
          .optional(),
      })
      .prefault({}),
    journal: z
      .strictObject({
        /** Rows older than this are archived to dataDir/journal-archive at start-up (0 = keep everything). */
        retentionDays: z.number().int().nonnegative().default(400),
      })
      .prefault({}),
    emv: z
      .strictObject({
        /** Use the chip of chip cards (service code 2xx/6xx). */
        enabled: z.boolean().default(true),
        /** Magstripe fallback after a technical chip failure (never for UnionPay cards in China). */
        fallback: z.boolean().default(true),
      })
      .prefault({}),
    cardless: z
      .strictObject({
        qr: z.boolean().default(true),
        oneTimeCode: z.boolean().default(true),
        /** Whether a one-time code withdrawal also asks for the card PIN (bank policy). */
        oneTimeCodePin: z.boolean().default(false),
        qrTimeoutMs: z.number().int().positive().default(120000),
        pollIntervalMs: z.number().int().positive().default(2000),
      })
      .prefault({}),
    ui: z
      .strictObject({
        port: z.number().int().min(0).max(65535).default(0),
        openBrowser: z.boolean().default(true),
      })
      .prefault({}),
    ops,
    /** Remote monitoring: HTTP/WebSocket API, Prometheus metrics, MQTT fleet events (main/monitoring/). Off by default. */
    monitoring: monitoringConfigSchema.prefault({}),
    dataDir: z.string().default('var'),
  })
  .superRefine((c, ctx) => {
    if (c.profile !== 'hardware') return;
    for (const device of ['cardReader', 'dispenser', 'printer'] as const) {
      if (c.devices[device].kind === 'simulator') {
        ctx.addIssue({ code: 'custom', path: ['devices', device], message: `the hardware profile needs a real adapter here (${HARDWARE_KINDS[device]})`, input: c.devices[device] });
      }
    }
    if (Object.values(c.simulator.faults).some((f) => f && f !== 'none')) {
      ctx.addIssue({ code: 'custom', path: ['simulator', 'faults'], message: 'simulated faults cannot be injected on the hardware profile', input: c.simulator.faults });
    }
  });

export type KioskConfig = z.infer<typeof configSchema>;
export type KioskConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    /** One line per problem: `path: message`. */
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

/** `host.port`, `simulator.cassettes[1].count`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

const describeInput = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const list = (vs: readonly unknown[]) => vs.map((v) => JSON.stringify(v)).join(', ');

/**
 * Messages for the built-in checks, phrased for the person editing the file (`must be <= 65535`). Messages
 * written into the schema itself (e.g. 'terminal id is ans8') take precedence over these.
 */
function issueMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'too_big':
    case 'too_small': {
      const big = iss.code === 'too_big';
      const bound = big ? (iss as { maximum: number | bigint }).maximum : (iss as { minimum: number | bigint }).minimum;
      const inclusive = (iss as { inclusive?: boolean }).inclusive !== false;
      if (iss.origin === 'string') return `must be at ${big ? 'most' : 'least'} ${bound} character${bound === 1 ? '' : 's'} long`;
      if (iss.origin === 'array' || iss.origin === 'set') return `must have at ${big ? 'most' : 'least'} ${bound} item${bound === 1 ? '' : 's'}`;
      return `must be ${big ? '<' : '>'}${inclusive ? '=' : ''} ${bound}`;
    }
    case 'invalid_type':
      if (iss.input === undefined) return 'is required';
      if (iss.expected === 'int') return `must be a whole number (got ${JSON.stringify(iss.input)})`;
      return `must be ${/^[aeiou]/.test(iss.expected) ? 'an' : 'a'} ${iss.expected} (got ${describeInput(iss.input)})`;
    case 'invalid_value':
      return iss.values.length === 1 ? `must be ${list(iss.values)}` : `must be one of ${list(iss.values)}`;
    case 'invalid_format':
      return iss.format === 'regex' ? `must match ${(iss as { pattern?: string }).pattern ?? 'the expected format'}` : `must be a valid ${iss.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${iss.divisor}`;
    case 'invalid_union': {
      const u = iss as { discriminator?: string; options?: unknown[] };
      if (u.discriminator && u.options) return `must be one of ${list(u.options)}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** One line per problem, `path: message`; unknown keys are reported one by one. */
export function configProblems(error: z.ZodError): string[] {
  const out: string[] = [];
  for (const i of error.issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) out.push(`${formatPath([...i.path, k])}: unknown key`);
    } else {
      out.push(`${formatPath(i.path)}: ${i.message}`);
    }
  }
  return out;
}

/**
 * The hardware profile's defaults: real adapters for the devices the file leaves out (card reader: Sankyo
 * on /dev/ttyUSB0, printer: ESC/POS on /dev/ttyUSB2; the dispenser has no default, its cassettes must be
 * described). Applied to the raw input before validation, so the defaults stay visible in the schema.
 */
export function applyProfileDefaults(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const raw = input as Record<string, unknown>;
  if (raw.profile !== 'hardware') return input;
  const devices = raw.devices && typeof raw.devices === 'object' && !Array.isArray(raw.devices) ? (raw.devices as Record<string, unknown>) : raw.devices === undefined ? {} : null;
  if (!devices) return input;
  return {
    ...raw,
    devices: { cardReader: { kind: 'sankyo' }, printer: { kind: 'escpos' }, ...devices },
  };
}

export function parseConfig(input: unknown, source = 'config'): KioskConfig {
  const r = configSchema.safeParse(applyProfileDefaults(input ?? {}), { error: issueMessage });
  if (!r.success) {
    const problems = configProblems(r.error);
    throw new ConfigError(`${source} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`, problems);
  }
  return r.data;
}

/** Where the configuration comes from: `--config <path>`, then ATM_CONFIG, then ./atm.config.json if present. */
export function resolveConfigPath(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env, cwdFile = 'atm.config.json'): { path: string | undefined; explicit: boolean } {
  const i = argv.indexOf('--config');
  if (i >= 0) {
    const p = argv[i + 1];
    if (!p || p.startsWith('--')) throw new ConfigError('--config needs a file path');
    return { path: p, explicit: true };
  }
  const eq = argv.find((a) => a.startsWith('--config='));
  if (eq) return { path: eq.slice('--config='.length), explicit: true };
  if (env.ATM_CONFIG) return { path: env.ATM_CONFIG, explicit: true };
  return { path: existsSync(cwdFile) ? cwdFile : undefined, explicit: false };
}

/**
 * Reads and validates the file. No path: the defaults (simulator). `mustExist` (a path given with --config or
 * ATM_CONFIG): a missing file is an error rather than a silent fallback to the simulator.
 */
export function loadConfig(path: string | undefined, opts: { mustExist?: boolean } = {}): KioskConfig {
  if (!path) return parseConfig({}, 'defaults');
  if (!existsSync(path)) {
    if (opts.mustExist) throw new ConfigError(`${path}: configuration file not found`, [`${path}: not found`]);
    return parseConfig({}, 'defaults');
  }
  const text = readFileSync(path, 'utf8');
  return parseConfig(parseConfigJson(text, path), path);
}

/** JSON.parse with the line and column of the first syntax error (Node 20's message has neither). */
export function parseConfigJson(text: string, source = 'config'): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    const at = jsonErrorOffset(text);
    const problem =
      at === null
        ? `${source}: not valid JSON: ${(e as Error).message.split('\n')[0]}`
        : `${source}: not valid JSON at ${lineColumn(text, at)}: ${at >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[at])}`}`;
    throw new ConfigError(problem, [problem]);
  }
}

export function lineColumn(text: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

/** Offset of the first JSON syntax error (a small validating scanner), or null when the text is valid. */
export function jsonErrorOffset(text: string): number | null {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  class Bad extends Error {
    constructor(readonly at: number) {
      super('bad');
    }
  }
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new Bad(i);
  };
  const str = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') fail();
      if (c === '\\') {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
            i += k;
            fail();
          }
          i += 5;
          continue;
        }
        if (!e || !'"\\/bfnrt'.includes(e)) fail();
      }
      i++;
    }
    fail();
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') return str();
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || !m[0] || m[0] === '-') fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return null;
  } catch (e) {
    if (e instanceof Bad) return e.at;
    throw e;
  }
}
