/**
 * Structured logs: pino, JSON lines, rotated by pino-roll (by size and by day/hour, `keepFiles` kept) into
 * `<dataDir>/logs/<name>.<n>.log` (`current.log` links to the live file), plus stdout in development.
 * Rotation runs in-process (no worker thread), so it works the same in Node, Electron and a packaged asar.
 *
 * Scrubbing happens twice (main/ops/scrub.ts): every argument of every log call (message, interpolation
 * values, merged objects, errors, child bindings) is deep-scrubbed before pino serialises it, and every
 * serialised line is text-scrubbed again on its way to each destination, so a PAN, track data, a PIN block
 * or a key cannot reach a file even through a path the first layer missed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger, type LevelWithSilent } from 'pino';
import pinoRoll from 'pino-roll';
import { scrubText, scrubValue } from './scrub';

export type { Logger } from 'pino';

export interface LoggerOptions {
  dataDir: string;
  /** File name stem: `kiosk` -> logs/kiosk.1.log. */
  name?: string;
  level?: LevelWithSilent;
  maxSizeMb?: number;
  frequency?: 'daily' | 'hourly';
  keepFiles?: number;
  /** Also write to stdout (default: NODE_ENV !== 'production'; the packaged app and the service set it). */
  stdout?: boolean;
  /** Extra fields on every line. */
  base?: Record<string, unknown>;
}

export interface KioskLogger {
  logger: Logger;
  /** The logs directory. */
  dir: string;
  /** Flushes and closes the files. */
  close(): Promise<void>;
}

interface Writable {
  write(s: string): unknown;
}

/** A destination that scrubs each serialised line before passing it on. */
export function scrubbingStream(inner: Writable): Writable {
  return { write: (line: string) => inner.write(scrubText(line)) };
}

/** The pino options that do the argument-level scrubbing (exported for tests and other destinations). */
export function scrubbingPinoOptions(level: LevelWithSilent = 'info', base: Record<string, unknown> = {}): pino.LoggerOptions {
  return {
    level,
    base: { pid: process.pid, ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => scrubValue(a)) as Parameters<typeof method>;
        return method.apply(this, scrubbed);
      },
    },
    formatters: {
      bindings: (b) => scrubValue(b) as Record<string, unknown>,
      log: (o) => scrubValue(o) as Record<string, unknown>,
    },
    serializers: { err: (e: unknown) => scrubValue(e), error: (e: unknown) => scrubValue(e) },
  };
}

export async function createLogger(opts: LoggerOptions): Promise<KioskLogger> {
  const dir = join(opts.dataDir, 'logs');
  mkdirSync(dir, { recursive: true });
  const file = await pinoRoll({
    file: join(dir, opts.name ?? 'kiosk'),
    extension: '.log',
    size: `${opts.maxSizeMb ?? 10}m`,
    frequency: opts.frequency ?? 'daily',
    limit: { count: opts.keepFiles ?? 30 },
    symlink: process.platform !== 'win32',
    mkdir: true,
  });
  const stdout = opts.stdout ?? process.env.NODE_ENV !== 'production';
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: scrubbingStream(file) }];
  if (stdout) streams.push({ level: 'trace', stream: scrubbingStream(process.stdout) });
  const logger = pino(scrubbingPinoOptions(opts.level ?? 'info', opts.base), pino.multistream(streams));
  return {
    logger,
    dir,
    close: () =>
      new Promise<void>((resolve) => {
        logger.flush(() => {
          if ((file as unknown as { destroyed?: boolean }).destroyed) return resolve();
          file.once('close', () => resolve());
          file.once('error', () => resolve());
          file.end();
        });
      }),
  };
}
