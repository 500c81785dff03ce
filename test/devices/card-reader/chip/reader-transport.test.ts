import { describe, expect, it } from 'vitest';
import { chipTransportFromReader } from '../../../../devices/card-reader/chip/reader-transport';
import { ChipIoError } from '../../../../devices/card-reader/chip/apdu';
import { SimChipCard } from '../../../../devices/card-reader/chip/sim-chip-card';
import { chipProfileForTestCard } from '../../../../devices/card-reader/chip/test-chip-cards';
import { TEST_CARDS } from '../../../../devices/card-reader/test-cards';
import { EmvTransaction } from '../../../../main/emv/kernel';
import { terminalConfig } from '../../../../main/emv/terminal-config';

describe('chip transport over CardReader.ChipIO', () => {
  it('runs the kernel through a reader whose chipIO talks to a simulated card', async () => {
    const profile = chipProfileForTestCard(TEST_CARDS.find((c) => c.id === 'mc-debit')!)!;
    expect(profile.expiry).toBe('291231');
    const card = new SimChipCard(profile);
    const reader = { chipIO: async ({ apdu }: { apdu: Uint8Array }) => ({ completionCode: 'success' as const, payload: { response: await card.transport(apdu) } }) };
    const txn = new EmvTransaction({ transport: chipTransportFromReader(reader), config: terminalConfig(), now: () => new Date('2026-01-01T00:00:00Z') });
    expect(await txn.start({ amountMinor: 200_00 })).toMatchObject({ kind: 'online', aid: 'A0000000041010' });
  });

  it('a failed ChipIO completion becomes ChipIoError', async () => {
    const t = chipTransportFromReader({ chipIO: async () => ({ completionCode: 'hardwareError' as const, errorDescription: 'x' }) });
    await expect(t(new Uint8Array(4))).rejects.toBeInstanceOf(ChipIoError);
  });

  it('expired test card gets an expired chip; non-chip service codes get none', () => {
    expect(chipProfileForTestCard(TEST_CARDS.find((c) => c.id === 'expired')!)!.expiry).toBe('200131');
    expect(chipProfileForTestCard({ id: 'x', pan: '4761739001010010', expiry: '3012', serviceCode: '101' })).toBeUndefined();
  });
});
