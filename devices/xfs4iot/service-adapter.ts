/**
 * How the endpoint publishes one of our device services: a table of XFS4IoT commands (each with a zod
 * schema for its payload, checked before it runs) plus status, capabilities and unsolicited events.
 * One adapter per device class lives next to this file (card-reader-adapter.ts, ...).
 */
import { z } from 'zod';
import type { CommonStatus } from '../common/types';
import type { Payload, WireCompletion } from './messages';

export interface CommandContext {
  readonly name: string;
  readonly signal: AbortSignal;
  /** Sends an intermediate event (header type `event`) carrying this command's requestId. */
  event(name: string, payload?: Payload): void;
}

export interface CommandDef<P> {
  schema: z.ZodType<P>;
  /** Goes through the device's command queue (false for commands that only read state). */
  queued: boolean;
  run(payload: P, ctx: CommandContext): Promise<WireCompletion>;
}

/** Widens a typed CommandDef for the command table. */
export const command = <P>(def: CommandDef<P>): CommandDef<unknown> => def as unknown as CommandDef<unknown>;

export interface ServiceAdapter {
  /** Path segment of the service URI, e.g. "CardReader". */
  readonly serviceName: string;
  /** Interfaces implemented (Common.Capabilities `interfaces`). */
  readonly interfaces: readonly string[];
  readonly commands: Readonly<Record<string, CommandDef<unknown>>>;
  /** Common.Status payload (without completion fields). */
  status(): Payload;
  /** Common.Capabilities payload (without `interfaces` and completion fields). */
  capabilities(): Payload;
  /** Device-level cancel, run when a running command is canceled or times out. */
  cancel?(): void;
  /** Subscribes to unsolicited events; returns the unsubscribe function. */
  subscribe(send: (name: string, payload: Payload) => void): () => void;
}

/** Common.Status `common` object from our CommonStatus (2021-1 spells the unknown position `Unknown`). */
export function commonStatus(s: CommonStatus, exchange?: 'active' | 'inactive'): Payload {
  return {
    device: s.device,
    ...(s.devicePosition ? { devicePosition: s.devicePosition === 'unknown' ? 'Unknown' : s.devicePosition } : {}),
    ...(exchange ? { exchange } : {}),
  };
}

/**
 * Common.StatusChangedEvent payload. The 2021-1 schema gives it the flat `common` fields; we also add the
 * device-class object (e.g. `cardReader: {...}`) as 2023-x/2024-03 do (the 2021-1 schema allows the extra
 * property), so a client learns media/paper/shutter changes without polling Common.Status.
 */
export function statusChanged(status: Payload): Payload {
  const { common, ...classes } = status as { common?: Payload };
  return { ...(common ?? {}), ...classes };
}

/** Loose object: the spec's payload objects allow properties we do not use. */
export const timeoutField = { timeout: z.number().int().min(0).optional() };
