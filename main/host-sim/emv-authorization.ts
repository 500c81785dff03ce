/**
 * The simulated issuer's chip checks: verify the ARQC in field 55 with the issuer master keys, and answer
 * with the Issuer Authentication Data (tag 91, ARPC by the card's CVN method) plus any pending issuer
 * scripts (e.g. a PIN unblock queued for the account) in the response's field 55.
 */
import { buildArpc, buildScriptCommand, buildScriptTemplate, verifyArqc } from '../emv/issuer';
import type { IssuerMasterKeys } from '../emv/cryptogram';
import { encodeTlv, tlv } from '../emv/tlv-codec';
import { TEST_ISSUER_KEYS } from '../../devices/card-reader/chip/test-chip-cards';

export const SIM_ISSUER_KEYS: IssuerMasterKeys = {
  ac: Buffer.from(TEST_ISSUER_KEYS.ac, 'hex'),
  smi: Buffer.from(TEST_ISSUER_KEYS.smi, 'hex'),
  smc: Buffer.from(TEST_ISSUER_KEYS.smc, 'hex'),
};

export type ChipAuthorization = { ok: true; respond: (responseCode: string) => Buffer } | { ok: false; reason: string };

export function authorizeChip(field55: Uint8Array, pan: string, psn: string, keys: IssuerMasterKeys = SIM_ISSUER_KEYS, scripts: Array<'pin-unblock' | 'application-block'> = []): ChipAuthorization {
  const v = verifyArqc(field55, keys, { pan, psn: psn.slice(-2).padStart(2, '0') });
  if (!v.ok) return { ok: false, reason: v.reason };
  const ctx = v.context;
  return {
    ok: true,
    respond: (responseCode: string) => {
      const iad = buildArpc(ctx.profile.arpcMethod, ctx, ctx.profile.arpcMethod === 1 ? { arc: responseCode } : { csu: Uint8Array.of(responseCode === '00' ? 0x00 : 0x80, 0, 0, 0) });
      const parts = [encodeTlv(tlv('91', iad))];
      if (scripts.length) parts.push(buildScriptTemplate('72', scripts.map((s) => buildScriptCommand(ctx, s))));
      return Buffer.concat(parts.map((p) => Buffer.from(p)));
    },
  };
}
