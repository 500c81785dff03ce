/**
 * Typed errors of the host channel, so callers branch on the class (or `name`), never on message text.
 * None of them carries field values (card data).
 */

/** No response within the request timeout. The request may have reached the host: a 0200 must be reversed. */
export class HostTimeoutError extends Error {
  override name = 'HostTimeoutError';
  constructor(readonly mti: string, readonly timeoutMs: number) {
    super(`no response to ${mti} within ${timeoutMs} ms`);
  }
}

/** Not connected, the connection dropped while the request was in flight, or the client was stopped. */
export class HostOfflineError extends Error {
  override name = 'HostOfflineError';
  constructor(readonly mti: string, readonly reason: 'notConnected' | 'disconnected' | 'stopped') {
    super(`host offline (${reason}); ${mti} not answered`);
  }
}

/** The byte stream cannot be framed (bad or oversize length header). The connection must be dropped. */
export class FramingError extends Error {
  override name = 'FramingError';
}

/** A decodable message that answers no pending or recently timed-out request. */
export class UnmatchedResponseError extends Error {
  override name = 'UnmatchedResponseError';
  constructor(readonly mti: string) {
    super(`unmatched ${mti} from host`);
  }
}

/** A request whose matching key (MTI class, field 41, field 11) is already in flight. */
export class DuplicateRequestError extends Error {
  override name = 'DuplicateRequestError';
  constructor(readonly mti: string) {
    super(`a ${mti} with the same terminal id and STAN is already in flight`);
  }
}
