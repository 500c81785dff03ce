/**
 * XFS4IoT message envelope as sent over the WebSocket, in the 2021-1 layout of the shared schema
 * (../shared/xfs4iot/, `$id` https://xfs4iot.com/2021-01/schema):
 *
 *   { header: { type, name, requestId, version }, payload }
 *
 * - command:     payload.timeout (ms, 0 = none) plus the command's fields
 * - acknowledge: payload.status ('ok' | 'invalidMessage' | 'invalidRequestID' | 'tooManyRequests'), errorDescription
 * - event:       intermediate, carries the requestId of its command
 * - completion:  payload.completionCode, payload.errorDescription, payload.errorCode + the command's fields
 * - unsolicited: no requestId
 *
 * 2024-03 differs in the header only: `timeout` (command), `status` (acknowledge) and `completionCode` /
 * `errorDescription` (completion) move from the payload into the header, and the payload keeps only the
 * command-specific data (errorCode stays in the payload). Converting is a field move in toWire/fromWire;
 * nothing else in this module depends on it.
 */
import { z } from 'zod';

export const XFS4IOT_VERSION = '1.0';
export const XFS4IOT_BASE_PATH = '/xfs4iot/v1.0';

export type MessageType = 'command' | 'acknowledge' | 'event' | 'completion' | 'unsolicited';
export type AckStatus = 'ok' | 'invalidMessage' | 'invalidRequestID' | 'tooManyRequests';

/** Completion codes as spelt on the 2021-1 wire (note `authorizationRequired`, and `notEnoughSpace`). */
export type WireCompletionCode =
  | 'success'
  | 'commandErrorCode'
  | 'canceled'
  | 'deviceNotReady'
  | 'hardwareError'
  | 'internalError'
  | 'invalidCommand'
  | 'invalidRequestID'
  | 'timeOut'
  | 'unsupportedCommand'
  | 'invalidData'
  | 'userError'
  | 'unsupportedData'
  | 'fraudAttempt'
  | 'sequenceError'
  | 'authorizationRequired'
  | 'noCommandNonce'
  | 'invalidToken'
  | 'invalidTokenNonce'
  | 'invalidTokenHMAC'
  | 'invalidTokenFormat'
  | 'invalidTokenKeyNoValue'
  | 'notEnoughSpace';

export interface Header {
  type: MessageType;
  name: string;
  requestId?: number;
  version: string;
}

/** A JSON object payload. Values are JSON. */
export type Payload = { [key: string]: unknown };

export interface Message {
  header: Header;
  payload: Payload;
}

/** The payload of a completion (2021-1: completionCode and errorDescription in the payload). */
export interface WireCompletion extends Payload {
  completionCode: WireCompletionCode;
  errorDescription?: string;
  errorCode?: string;
}

export const message = (type: MessageType, name: string, requestId: number | undefined, payload: Payload): Message => ({
  header: { type, name, ...(requestId === undefined ? {} : { requestId }), version: XFS4IOT_VERSION },
  payload,
});

/** A request id as the spec allows it: a positive integer (Common.Cancel requestIds have minimum 1). */
export const requestIdSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** What the endpoint needs of an incoming message before it can acknowledge it. */
export const incomingEnvelope = z.object({
  header: z.object({
    type: z.literal('command'),
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9]*$/),
    requestId: z.unknown(),
    version: z.string().regex(/^[1-9][0-9]*\.([1-9][0-9]*|0)$/).optional(),
  }),
  payload: z.record(z.string(), z.unknown()).optional(),
});

/** What the client needs of a message from a service. */
export const outgoingEnvelope = z.object({
  header: z.object({
    type: z.enum(['acknowledge', 'event', 'completion', 'unsolicited']),
    name: z.string(),
    requestId: z.number().int().optional(),
    version: z.string().optional(),
  }),
  payload: z.record(z.string(), z.unknown()).default({}),
});
