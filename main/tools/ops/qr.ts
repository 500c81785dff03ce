/** atm-tools batch ops for EMVCo merchant-presented QR: qr.parse, qr.make. */
import { z } from 'zod';
import { type BatchOp, type JsonObject, ToolError, str } from '../op-registry';
import { makeAtmWithdrawalQr, makeEmvQr, parseEmvQr, type QrObjects } from '../../cardless/emvco-qr';

const objectsSchema = z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string())]));

const withdrawalSchema = z.object({
  amount: z.string(),
  currency: z.string(),
  country: z.string(),
  merchantName: z.string(),
  city: z.string(),
  reference: z.string(),
  terminalId: z.string().optional(),
  mcc: z.string().optional(),
  accounts: objectsSchema.optional(),
});

/** `{"op":"qr.parse","payload":"..."}` -> `{"valid":true,"crc":"ABCD","objects":{...}}` or `{"valid":false,"reason":"..."}`. */
export const qrParse: BatchOp = (req) => parseEmvQr(str(req, 'payload')) as unknown as JsonObject;

/**
 * `{"op":"qr.make","objects":{"01":"12","54":"100.00",...}}` -> `{"payload":"..."}`, or the ATM
 * withdrawal form `{"op":"qr.make","amount":"100.00","currency":"156","country":"CN",
 * "merchantName":"...","city":"...","reference":"..."}`.
 */
export const qrMake: BatchOp = (req) => {
  try {
    if (req.objects !== undefined) {
      const objects = objectsSchema.safeParse(req.objects);
      if (!objects.success) throw new ToolError('"objects" must map IDs to strings or to objects of strings');
      return { payload: makeEmvQr(objects.data as QrObjects) };
    }
    const w = withdrawalSchema.safeParse(req);
    if (!w.success) throw new ToolError('give "objects", or amount, currency, country, merchantName, city and reference');
    return { payload: makeAtmWithdrawalQr(w.data) };
  } catch (e) {
    if (e instanceof ToolError) throw e;
    throw new ToolError((e as Error).message);
  }
};

export const qrOps: Record<string, BatchOp> = { 'qr.parse': qrParse, 'qr.make': qrMake };
