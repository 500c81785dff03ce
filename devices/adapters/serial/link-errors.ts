/**
 * Transport-level failures of a serial device link. They describe what happened on the wire (by command and
 * length only, never frame contents: card readers carry track data) so adapters can map them to completions.
 */
export type LinkErrorKind =
  /** The device did not answer in time. */
  | 'timeout'
  /** The port closed or failed (cable pulled, USB adapter gone, pty peer died). */
  | 'closed'
  /** The device refused the frame (NAK) more often than the retry budget allows. */
  | 'nak'
  /** Frames from the device kept failing their checksum / structure check. */
  | 'badFrame';

export class LinkError extends Error {
  constructor(
    readonly kind: LinkErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

export const isLinkError = (e: unknown): e is LinkError => e instanceof LinkError;
