/**
 * The technician's tools: device status, one test command per device, the journal viewer with search, receipt
 * reprints rebuilt from the journal and transaction records (last four digits of the card only), and key status
 * (names, usage, algorithm, check values: never key material).
 */
import type { Db } from '../../journals/database';
import { entryFromRow, type Journal, type JournalEntry } from '../../journals/journal';
import type { TransactionStore, TxnRecord } from '../../journals/transactions';
import type { KioskDevices } from '../core/status';
import { isSuccess, type Completion } from '../../devices/common/types';
import { RECEIPT_WIDTH } from '../../devices/printer/forms';
import { CashInputError } from './cash-office';
import type { TableCell } from '../common/contract';
import { deviceCell, deviceStateCell } from './cells';

export type DeviceName = 'cardReader' | 'dispenser' | 'pinpad' | 'printer';
export const DEVICE_NAMES: DeviceName[] = ['cardReader', 'dispenser', 'pinpad', 'printer'];

export interface KeyStatus {
  name: string;
  usage: string;
  algorithm: string;
  kcv: string;
}

export interface TestResult {
  device: DeviceName;
  ok: boolean;
  /** Completion code and a short detail; no card data. */
  detail: string;
  /** Test dispense: notes picked per cash unit (moved to the reject bin). */
  notes?: Record<string, number>;
}

export type JournalSearch = { by: 'recent' } | { by: 'date'; date: string } | { by: 'txn'; txn: number } | { by: 'pan'; first6?: string; last4: string };

export class Diagnostics {
  constructor(
    private readonly d: {
      db: Db;
      journal: Journal;
      txns: TransactionStore;
      devices: KioskDevices;
      keys: () => KeyStatus[];
      /** Checks the PIN key end to end (builds a test PIN block inside the EPP); false when the key is unusable. */
      pinKeySelfTest: () => boolean;
      terminal: string;
      formatMoney: (minor: number) => string;
      now?: () => Date;
    },
  ) {}

  deviceTable(): TableCell[][] {
    const s = {
      cardReader: this.d.devices.cardReader.status(),
      dispenser: this.d.devices.dispenser.status(),
      pinpad: this.d.devices.pinpad.status(),
      printer: this.d.devices.printer.status(),
    };
    // Details keep the XFS4IoT status values (what a technician looks up) inside a translated sentence.
    return [
      [deviceCell('cardReader'), deviceStateCell(s.cardReader.device), { key: 'sup.detail.cardReader', params: { media: s.cardReader.media } }],
      [
        deviceCell('dispenser'),
        deviceStateCell(s.dispenser.device),
        { key: s.dispenser.exchangeActive ? 'sup.detail.dispenserExchange' : 'sup.detail.dispenser', params: { shutter: s.dispenser.shutter, stacker: s.dispenser.intermediateStacker } },
      ],
      [deviceCell('pinpad'), deviceStateCell(s.pinpad.device), { key: 'sup.detail.pinpad', params: { keys: s.pinpad.keysLoaded } }],
      [deviceCell('printer'), deviceStateCell(s.printer.device), { key: 'sup.detail.printer', params: { paper: s.printer.paper } }],
    ];
  }

  async test(device: DeviceName, by: string): Promise<TestResult> {
    const result = await this.run(device);
    this.d.db.transaction(() => {
      this.d.journal.append('supervisor.deviceTest', { by, device, ok: result.ok, detail: result.detail, ...(result.notes ? { notes: result.notes } : {}) });
      for (const [unit, n] of Object.entries(result.notes ?? {})) this.d.txns.addCounter(`unit:${unit}:test`, n);
    })();
    return result;
  }

  private async run(device: DeviceName): Promise<TestResult> {
    const res = (c: Completion<unknown>, extra = ''): TestResult => ({
      device,
      ok: isSuccess(c),
      detail: isSuccess(c) ? `success${extra}` : `${c.completionCode}${c.errorCode ? `/${c.errorCode}` : ''}`,
    });
    const dv = this.d.devices;
    switch (device) {
      case 'cardReader':
        return res(await dv.cardReader.reset({ to: 'currentPosition' }));
      case 'dispenser': {
        // Test dispense: one note from the first usable cassette, picked and moved to the reject bin (never presented).
        const unit = dv.dispenser.cashUnits().find((u) => u.type === 'dispense' && u.count > 0 && u.state !== 'inoperative' && u.state !== 'missing');
        if (!unit) return { device, ok: false, detail: 'no notes to test with' };
        const picked = await dv.dispenser.dispense({ counts: { [unit.id]: 1 } });
        if (!isSuccess(picked)) {
          // A partial pick is still moved to the reject bin.
          const partial = picked.payload?.counts ?? {};
          if (Object.keys(partial).length) await dv.dispenser.reject();
          return { ...res(picked), notes: partial };
        }
        return { ...res(await dv.dispenser.reject(), ` (1 note from ${unit.id} to the reject bin)`), notes: picked.payload.counts };
      }
      case 'pinpad': {
        const st = dv.pinpad.status();
        if (st.device !== 'online') return { device, ok: false, detail: st.device };
        if (st.keysLoaded === 0) return { device, ok: false, detail: 'no keys loaded' };
        return this.d.pinKeySelfTest() ? { device, ok: true, detail: 'success (PIN key usable)' } : { device, ok: false, detail: 'PIN key unusable' };
      }
      case 'printer': {
        const now = (this.d.now?.() ?? new Date()).toISOString();
        return res(await dv.printer.printRaw({ lines: [center('PRINTER TEST'), `TERMINAL ${this.d.terminal}`, now.slice(0, 19).replace('T', ' '), '0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ', '-'.repeat(RECEIPT_WIDTH)] }));
      }
    }
  }

  keyTable(): string[][] {
    return this.d.keys().map((k) => [k.name, k.usage, k.algorithm, k.kcv]);
  }

  /** Journal search; newest first. Dates are YYYYMMDD (UTC), transaction numbers 1-9999, cards by last four (optionally with the first six). */
  search(q: JournalSearch, limit = 200): JournalEntry[] {
    const rows = (sql: string, ...args: Array<string | number>): JournalEntry[] =>
      (this.d.db.prepare(`SELECT * FROM journal WHERE ${sql} ORDER BY seq DESC LIMIT ?`).all(...args, limit) as Array<Record<string, unknown>>).map(entryFromRow);
    let found: JournalEntry[];
    switch (q.by) {
      case 'recent':
        found = rows('1 = 1');
        break;
      case 'date': {
        const m = /^(\d{4})(\d{2})(\d{2})$/.exec(q.date);
        if (!m) throw new CashInputError('sup.badDate');
        const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
        if (day.getUTCMonth() !== Number(m[2]) - 1 || day.getUTCDate() !== Number(m[3])) throw new CashInputError('sup.badDate');
        const from = day.toISOString();
        const to = new Date(day.getTime() + 86_400_000).toISOString();
        found = rows('ts >= ? AND ts < ?', from, to);
        break;
      }
      case 'txn':
        if (!Number.isInteger(q.txn) || q.txn < 1 || q.txn > 9999) throw new CashInputError('sup.badTxn');
        found = rows('txn = ?', q.txn);
        break;
      case 'pan':
        if (!/^\d{4}$/.test(q.last4) || (q.first6 !== undefined && !/^\d{6}$/.test(q.first6))) throw new CashInputError('sup.badPanSearch');
        found = rows("masked_pan LIKE ? ESCAPE '\\'", `${q.first6 ?? ''}%${q.last4}`);
        break;
    }
    return found;
  }

  /** One journal row for the screen: time, transaction, event, card (last four), the start of the data. */
  static row(e: JournalEntry): string[] {
    const summary = JSON.stringify(e.data).replace(/[{}"]/g, '').slice(0, 28).replace(/,/g, ', ');
    return [e.ts.slice(11, 19), e.txn === null ? '' : String(e.txn).padStart(4, '0'), e.kind, e.maskedPan ? `****${e.maskedPan.slice(-4)}` : '', summary];
  }

  /**
   * Reprints the last `n` customer receipts (1-20) as one duplicate strip, rebuilt from the transaction records
   * and the journal (the original's lines are not stored). Journaled.
   */
  /** The transaction lines of a duplicate: what it was and the amount (cash taken, or the amount transferred). */
  private reprintBody(t: TxnRecord, taken: JournalEntry | undefined): string[] {
    if (t.type === 'withdrawal') return ['CASH WITHDRAWAL', `AMOUNT ${this.d.formatMoney(Number(taken?.data.amount ?? t.dispensedAmount ?? 0))}`];
    if (t.type === 'transfer') {
      const req = this.d.journal.query({ txn: t.txn, kind: 'host.request', limit: 1 })[0];
      const side = (v: unknown) => (typeof v === 'string' ? v.toUpperCase() : '?');
      return [`TRANSFER ${side(req?.data.from)} TO ${side(req?.data.to)}`, `AMOUNT ${this.d.formatMoney(t.amount)}`];
    }
    return [t.type.toUpperCase()];
  }

  async reprint(n: number, by: string): Promise<{ receipts: number; printed: boolean }> {
    if (!Number.isInteger(n) || n < 1 || n > 20) throw new CashInputError('sup.badReprintCount');
    const printed = this.d.db
      .prepare("SELECT seq, txn, ts FROM journal WHERE kind = 'receipt.printed' AND txn IS NOT NULL AND json_extract(data, '$.completion') = 'success' ORDER BY seq DESC LIMIT ?")
      .all(n) as Array<{ seq: number; txn: number; ts: string }>;
    const lines: string[] = [];
    for (const p of printed.reverse()) {
      const t = this.d.txns.get(p.txn);
      const taken = this.d.journal.query({ txn: p.txn, kind: 'cash.taken', limit: 5 }).at(-1);
      lines.push(
        center('*** DUPLICATE ***'),
        `DATE ${p.ts.slice(0, 10)}      TIME ${p.ts.slice(11, 19)}`,
        `TERMINAL ${this.d.terminal}   TXN ${String(p.txn).padStart(4, '0')}`,
        ...(t
          ? [
              `CARD ****${(t.maskedPan ?? '').slice(-4)}`,
              ...this.reprintBody(t, taken),
              `AUTH ${t.authCode ?? ''}   RRN ${t.rrn ?? ''}`,
              `STATE ${t.state.toUpperCase()}`,
            ]
          : ['(TRANSACTION RECORD NO LONGER HELD)']),
        '-'.repeat(RECEIPT_WIDTH),
      );
    }
    if (printed.length === 0) {
      this.d.journal.append('supervisor.reprint', { by, requested: n, receipts: 0, completion: 'none' });
      return { receipts: 0, printed: false };
    }
    const r = await this.d.devices.printer.printRaw({ lines });
    this.d.journal.append('supervisor.reprint', { by, requested: n, receipts: printed.length, txns: printed.map((p) => p.txn), completion: r.completionCode });
    return { receipts: printed.length, printed: isSuccess(r) };
  }
}

function center(s: string): string {
  return ' '.repeat(Math.max(0, Math.floor((RECEIPT_WIDTH - s.length) / 2))) + s;
}

