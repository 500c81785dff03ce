/**
 * Start-up recovery (DESIGN.md boundary 3). Every cash transaction the journal shows as unfinished is
 * reconciled from the journal and the dispenser's own state, never from a machine snapshot:
 *   - authorising/approved, nothing picked  -> full reversal (the host may have debited)
 *   - dispensing/dispensed, notes in the stacker -> notes rejected to the bin, full reversal
 *   - presented and notes still in the output slot -> retracted, full reversal
 *   - presented and the slot is empty -> the customer took them: completed, no reversal
 * Each case writes an exception record to the journal.
 */
import { isSuccess } from '../../devices/common/types';
import type { DispenserService } from '../../devices/dispenser/types';
import type { Journal } from '../../journals/journal';
import type { TransactionStore, TxnRecord } from '../../journals/transactions';
import type { HostLink } from '../host/host-link';
import type { HostProfile } from '../host/profile';

export interface RecoveryReport {
  examined: number;
  reversed: number;
  completed: number;
  notesRejected: number;
  notesRetracted: number;
}

export async function recoverUnfinished(d: { txns: TransactionStore; journal: Journal; dispenser: DispenserService; host: HostLink; profile: HostProfile }): Promise<RecoveryReport> {
  const report: RecoveryReport = { examined: 0, reversed: 0, completed: 0, notesRejected: 0, notesRetracted: 0 };
  const unfinished = d.txns.unfinished();
  const status = d.dispenser.status();
  let stackerHandled = false;
  let outputHandled = false;
  for (const t of unfinished) {
    report.examined++;
    const original = originalOf(t);
    // A transfer moves no cash, but the host may have moved the money before the ATM stopped: it takes the
    // withdrawal's path below (only ever 'authorizing': no stacker or slot to handle, full reversal if it was sent).
    if (t.type !== 'withdrawal' && t.type !== 'transfer') {
      d.txns.update(t.txn, { state: 'recovered' }, 'recovery.exception', { previousState: t.state, action: 'closed (no cash involved)' });
      continue;
    }
    if (t.state === 'presented') {
      if (status.outputPosition === 'notEmpty' && !outputHandled) {
        outputHandled = true;
        const r = await d.dispenser.retract();
        const counts = isSuccess(r) ? r.payload.counts : {};
        report.notesRetracted += Object.values(counts).reduce((a, b) => a + b, 0);
        d.txns.update(t.txn, { state: 'retracted' }, 'recovery.exception', { previousState: t.state, action: 'notes in output slot retracted', completion: r.completionCode, counts });
        if (original) d.host.queueReversal(t.txn, original, 0, d.profile.reversalReason.cashRetracted);
        d.txns.update(t.txn, { state: 'reversalQueued' });
        report.reversed++;
      } else {
        d.txns.update(t.txn, { state: 'completed' }, 'recovery.exception', { previousState: t.state, action: 'output slot empty: cash taken' });
        d.journal.append('cash.taken', { amount: t.dispensedAmount ?? 0, recovered: true }, { txn: t.txn, maskedPan: t.maskedPan });
        report.completed++;
      }
      continue;
    }
    // authorizing, approved, dispensing, dispensed: the customer never received notes.
    if ((t.state === 'dispensing' || t.state === 'dispensed') && status.intermediateStacker === 'notEmpty' && !stackerHandled) {
      stackerHandled = true;
      const r = await d.dispenser.reject();
      const counts = isSuccess(r) ? r.payload.counts : {};
      report.notesRejected += Object.values(counts).reduce((a, b) => a + b, 0);
      d.journal.append('recovery.notesRejected', { completion: r.completionCode, counts }, { txn: t.txn });
    }
    d.txns.update(t.txn, { state: 'failed' }, 'recovery.exception', { previousState: t.state, action: original ? 'full reversal queued' : 'no request was sent' });
    if (original) {
      d.host.queueReversal(t.txn, original, 0, t.state === 'authorizing' ? d.profile.reversalReason.timeout : d.profile.reversalReason.notDispensed);
      d.txns.update(t.txn, { state: 'reversalQueued' });
      report.reversed++;
    }
  }
  // Notes left in the stacker or output slot with no unfinished transaction (should not happen): bin them.
  const after = d.dispenser.status();
  if (after.intermediateStacker === 'notEmpty') {
    const r = await d.dispenser.reject();
    d.journal.append('recovery.exception', { action: 'orphan notes in stacker rejected', completion: r.completionCode });
  }
  if (after.outputPosition === 'notEmpty') {
    const r = await d.dispenser.retract();
    d.journal.append('recovery.exception', { action: 'orphan notes in output slot retracted', completion: r.completionCode });
  }
  if (report.examined) d.journal.append('recovery.completed', { ...report });
  return report;
}

function originalOf(t: TxnRecord) {
  const od = t.originalData;
  if (!od || !od.stan) return undefined;
  return { stan: od.stan, transmissionDateTime: od.transmissionDateTime ?? '', mti: od.mti ?? '0200', processingCode: od.processingCode ?? '010000', amount: t.amount, rrn: t.rrn ?? undefined };
}
