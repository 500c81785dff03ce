/** Host channel: TCP framing and the ISO 8583 client. */
export { IsoClient, type IsoClientEvents, type IsoClientOptions } from './iso-client';
export { FrameDecoder, encodeFrame, swapTpdu, type FrameLength, type Framing } from './framing';
export { DuplicateRequestError, FramingError, HostOfflineError, HostTimeoutError, UnmatchedResponseError } from './errors';
export { backoffDelay, type Backoff } from './backoff';
export { requestKey, responseKey, responseMti } from './matching';
export { realTimers, type Timers } from './timers';
export { rawFrameOf } from './raw-frames';
