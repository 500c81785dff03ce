/** Adapts a CardReaderService (XFS4IoT CardReader.ChipIO) to the kernel's ChipTransport. */
import { ChipIoError, type ChipTransport } from './apdu';
import type { CardReaderService } from '../types';

export function chipTransportFromReader(reader: Pick<CardReaderService, 'chipIO'>): ChipTransport {
  return async (apdu) => {
    const c = await reader.chipIO({ apdu });
    if (c.completionCode !== 'success') throw new ChipIoError(`ChipIO ${c.completionCode}${c.errorCode ? `/${c.errorCode}` : ''}`);
    return c.payload.response;
  };
}
