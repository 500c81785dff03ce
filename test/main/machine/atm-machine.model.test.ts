/**
 * Model-based coverage of the ATM machine with xstate/graph: the machine is traversed with every event it
 * can receive in each state (UI selections taken from the screen the state shows, device events, timers,
 * and each representative outcome of every invoked device/host step), with a bounded state serialisation.
 * Checked: every state node is reachable, every reachable state has a proper screen, and the money rules
 * hold on every edge of the graph (nothing dispensed without an approval, card before cash, presented cash
 * ends taken or retracted, operator commands never abort a customer).
 */
import { describe, expect, it } from 'vitest';
import type { AnyStateNode, EventObject, SnapshotFrom } from 'xstate';
import { getAdjacencyMap, getShortestPaths, getStateNodes } from 'xstate/graph';
import { createAtmMachine, type AtmMachine } from '../../../main/machine/atm-machine';
import { SessionServices, type AtmDeps } from '../../../main/machine/session-services';
import { screenOf } from '../../../main/machine/screens';

type Snap = SnapshotFrom<AtmMachine>;
type AnyEvent = EventObject & Record<string, unknown>;

const card = { pan: '4761739001010010', expiry: '3012', serviceCode: '201', track2: '4761739001010010=30122010000000000000', maskedPan: '476173******0010', lastFour: '**** 0010' };
const blockA = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
const blockB = new Uint8Array([8, 7, 6, 5, 4, 3, 2, 1]);

/** Representative outcomes of each invoked step. */
const OUTPUTS: Record<string, unknown[]> = {
  startup: [true, false],
  readCard: [{ ok: true, card }, { ok: false, reason: 'expired' }, { ok: false, reason: 'unreadable' }, { ok: false, reason: 'canceled' }],
  pinEntry: ['entered', 'cancel', 'timeout', 'error'],
  amountEntry: [{ kind: 'entered', digits: '60' }, { kind: 'entered', digits: '7' }, { kind: 'cancel' }, { kind: 'timeout' }],
  transferAmountEntry: [{ kind: 'entered', digits: '250' }, { kind: 'entered', digits: '0' }, { kind: 'entered', digits: '9999999' }, { kind: 'cancel' }, { kind: 'timeout' }],
  scanCode: ['12345678', 'not-a-code'],
  codeEntry: [{ kind: 'entered', digits: '12345678' }, { kind: 'entered', digits: '12' }, { kind: 'cancel' }, { kind: 'timeout' }],
  checkAmount: [true, false],
  denominationChoices: [[2000, 5000], []],
  authorize: [
    { txn: 1, responseCode: '00', availableBalance: 1000, statement: ['line'] },
    { txn: 1, responseCode: '55' },
    { txn: 1, responseCode: '51' },
    { txn: 1, responseCode: '75' },
    { txn: 1, responseCode: '91', hostUnavailable: 'timeout' },
  ],
  dispense: [{ ok: true, counts: { CST1: 3 }, amount: 6000 }, { ok: false, counts: {}, amount: 0, reason: 'jam' }],
  ejectCard: [true, false],
  retainCard: [undefined],
  present: [true, false],
  retractCash: [undefined],
  rejectStacked: [undefined],
  printReceipt: [true, false],
  printStatement: [true, false],
  pinBlock: [blockA, blockB, null],
  cardlessQr: [{ reference: 'R1', qr: { payload: 'x', size: 1, modules: '1' }, startedAt: 0 }],
  cardlessStatus: [{ status: 'confirmed', card, amount: 6000, reference: 'R1' }, { status: 'pending' }, { status: 'invalid', responseCode: '14' }, { status: 'unavailable', reason: 'timeout' }],
};

const settings = {
  locale: 'en-US',
  currency: 'USD',
  fastCash: [2000, 6000],
  languages: ['en', 'zh'],
  cardless: { qr: true, oneTimeCode: true },
  transfers: { enabled: true, maxAmount: 500000 },
  now: () => 0,
  timers: { screenTimeoutMs: 1, moreTimeMs: 1, cardTakeMs: 1, cashTakeMs: 1 },
};

// Only `samePin` (a pure comparison used in a guard) is reachable during traversal: the mock actor scope of
// xstate/graph never runs actions or starts invoked actors.
const services = new SessionServices({} as AtmDeps);
const machineFor = (cashNotTaken: 'retract' | 'leave') => createAtmMachine({
  services,
  timers: { screenTimeoutMs: 1, moreTimeMs: 1, cardTakeMs: 1, cashTakeMs: 1, messageMs: 1, receiptTakeMs: 1, outOfServiceRetryMs: 1 },
  fastCash: [2000, 6000],
  minPin: 4,
  maxPin: 6,
  noteMultiple: 2000,
  minorPerMajor: 100,
  startup: async () => true,
  captureCards: true,
  languages: ['en', 'zh'],
  cardless: { qr: true, oneTimeCode: true, oneTimeCodePin: false, qrTimeoutMs: 1000, pollIntervalMs: 1 },
  transfers: { enabled: true, maxAmount: 500000 },
  cashNotTaken,
});

function activeNodes(s: Snap): AnyStateNode[] {
  return [...(s as unknown as { _nodes: AnyStateNode[] })._nodes];
}

function eventsFor(s: Snap): AnyEvent[] {
  const evs: AnyEvent[] = [];
  const screen = screenOf(s, 1, settings);
  for (const o of screen.options) evs.push({ type: 'SELECT', option: o.id });
  evs.push({ type: 'SELECT', option: 'yes' }, { type: 'SELECT', option: 'no' }, { type: 'CANCEL' });
  evs.push({ type: 'PIN_DIGITS', length: 1 }, { type: 'DATA_DIGIT', digit: '6' });
  evs.push({ type: 'CARD_TAKEN' }, { type: 'CASH_TAKEN' }, { type: 'RECEIPT_TAKEN' });
  evs.push({ type: 'SUPERVISOR', on: true }, { type: 'SUPERVISOR', on: false }, { type: 'HOST_OFFLINE' }, { type: 'HOST_ONLINE' });
  evs.push({ type: 'SERVICE_MODE', mode: 'out' }, { type: 'SERVICE_MODE', mode: 'in' });
  evs.push({ type: 'APP_CHOICE', apps: [{ aid: 'A000000333010101', label: 'UnionPay Debit' }] });
  for (const node of activeNodes(s)) {
    for (const type of node.transitions.keys()) if (type.startsWith('xstate.after.')) evs.push({ type });
    for (const inv of node.invoke) {
      const src = typeof inv.src === 'string' ? inv.src : '';
      for (const output of OUTPUTS[src] ?? []) evs.push({ type: `xstate.done.actor.${inv.id}`, output });
    }
  }
  return evs;
}

const at = (s: Snap, path: string) => s.matches(path.includes('.') ? ({ inService: path.split('.')[1]! } as never) : (path as never));

/** Bounded serialisation: only the context that decides behaviour in the current state. */
function serialize(s: Snap): string {
  const c = s.context;
  const inAny = (...names: string[]) => names.some((n) => at(s, `inService.${n}`));
  return JSON.stringify({
    v: s.value,
    p: c.pending?.kind ?? null,
    m: c.mode,
    f: c.forcedOut,
    r: inAny('receiptQuestion', 'authorizing', 'dispensing', 'returningCard', 'takeCardBeforeCash', 'presenting', 'takeCash') ? c.wantReceipt : null,
    t: inAny('returningCard', 'presenting', 'printing', 'ejecting') ? c.taken : null,
    rt: inAny('moreTime') ? c.returnTo : null,
    ac: inAny('authorizing') ? !!c.appChoices : null,
    dn: inAny('denomination') ? c.denominations : null,
    pd: inAny('receiptQuestion', 'authorizing', 'dispensing') ? c.preferDenomination : null,
    pc: inAny('pinChangeNew', 'pinChangeNewBlock', 'pinChangeConfirm', 'pinChangeConfirmBlock', 'pinChangeRejected', 'authorizing') ? [c.pinChange.step, !!c.pinChange.current, !!c.pinChange.next] : null,
  });
}

const options = { events: eventsFor as never, serializeState: serialize as never, limit: 2_000_000 };

// Both policies for cash the customer does not take: retract and reverse, or leave it in the slot.
for (const cashNotTaken of ['retract', 'leave'] as const) {
  const machine = machineFor(cashNotTaken);
  const adjacency = getAdjacencyMap(machine, options);
  const states = Object.values(adjacency).map((a) => a.state as Snap);

  describe(`ATM machine model (cash not taken: ${cashNotTaken})`, () => {
    it('reaches every state node', () => {
      const reached = new Set<string>();
      for (const s of states) for (const n of activeNodes(s)) reached.add(n.id);
      // Transient nodes (only `always` transitions) are passed through, never rested in.
      const all = getStateNodes(machine.root)
        .filter((n) => !(n.always && n.always.length > 0 && !n.invoke.length && [...n.transitions.keys()].length === 0))
        .map((n) => n.id);
      // The other policy's state is the one node a policy never reaches.
      expect(all.filter((id) => !reached.has(id))).toEqual([cashNotTaken === 'retract' ? 'atm.inService.cashLeft' : 'atm.inService.retracting']);
      expect(states.length).toBeGreaterThan(200);
    });

    it('gives every reachable state a real screen', () => {
      for (const s of states) expect(screenOf(s, 1, settings).screen, JSON.stringify(s.value)).not.toBe('error');
    });

    it('keeps the money rules on every edge', () => {
      let edges = 0;
      for (const { state, transitions } of Object.values(adjacency)) {
        const prev = state as Snap;
        for (const { event, state: nextState } of Object.values(transitions) as Array<{ event: unknown; state: unknown }>) {
          const next = nextState as Snap;
          const ev = event as AnyEvent;
          edges++;
          const ctx = `${JSON.stringify(prev.value)} --${ev.type}--> ${JSON.stringify(next.value)}`;
          // Nothing is dispensed without an approval of a withdrawal.
          if (at(next, 'inService.dispensing') && !at(prev, 'inService.dispensing')) {
            expect(at(prev, 'inService.authorizing'), ctx).toBe(true);
            expect((ev.output as { responseCode?: string }).responseCode, ctx).toBe('00');
            expect(prev.context.pending?.kind, ctx).toBe('withdrawal');
          }
          // A transfer is reported done only after the host approved that transfer, and never moves cash.
          if (at(next, 'inService.transferDone') && !at(prev, 'inService.transferDone') && !at(prev, 'inService.moreTime')) {
            expect(at(prev, 'inService.authorizing'), ctx).toBe(true);
            expect((ev.output as { responseCode?: string }).responseCode, ctx).toBe('00');
            expect(prev.context.pending?.kind, ctx).toBe('transfer');
          }
          if (at(prev, 'inService.transferConfirm') && at(next, 'inService.authorizing')) {
            const p = next.context.pending;
            expect(p?.kind === 'transfer' && p.amount > 0 && p.amount <= 500000 && p.from !== p.to, ctx).toBe(true);
          }
          // The customer's note preference is one the dispenser offered.
          if (ev.type === 'SELECT' && at(prev, 'inService.denomination') && next.context.preferDenomination) {
            expect(prev.context.denominations, ctx).toContain(next.context.preferDenomination);
          }
          // Card before cash: with a card, cash is presented only once the card was taken.
          if (at(next, 'inService.presenting') && !at(prev, 'inService.presenting') && next.context.mode === 'card') {
            const tookCard = ev.type === 'CARD_TAKEN' || (at(prev, 'inService.returningCard') && prev.context.taken.card);
            expect(tookCard, ctx).toBe(true);
          }
          // Presented cash is taken, or (by policy) retracted or left in the slot until taken; never abandoned.
          if (at(prev, 'inService.takeCash') && !at(next, 'inService.takeCash')) {
            expect(ev.type === 'CASH_TAKEN' || at(next, cashNotTaken === 'retract' ? 'inService.retracting' : 'inService.cashLeft'), ctx).toBe(true);
          }
          if (at(prev, 'inService.cashLeft') && !at(next, 'inService.cashLeft')) expect(ev.type, ctx).toBe('CASH_TAKEN');
          // Stacked cash never goes back to idle without being presented or rejected.
          if (at(prev, 'inService.takeCardBeforeCash') && !at(next, 'inService.takeCardBeforeCash')) {
            expect(at(next, 'inService.presenting') || at(next, 'inService.retainingBeforeCash'), ctx).toBe(true);
          }
          // Operator and supervisor commands never abort a customer session.
          if ((ev.type === 'SERVICE_MODE' || ev.type === 'SUPERVISOR') && at(prev, 'inService') && !at(prev, 'inService.idle')) {
            expect(JSON.stringify(next.value), ctx).toBe(JSON.stringify(prev.value));
          }
        }
      }
      expect(edges).toBeGreaterThan(1000);
    });

    it('has a shortest path from start-up to each customer outcome', () => {
      const targets = ['inService.takeCash', 'inService.balanceResult', 'inService.pinChanged', 'inService.printingStatement', 'inService.cardRetained', cashNotTaken === 'retract' ? 'inService.retracting' : 'inService.cashLeft', 'inService.cardlessWaiting', 'inService.codeConfirmed', 'inService.transferDone'];
      const paths = getShortestPaths(machine, options);
      const reachedTargets = new Set(targets.filter((t) => paths.some((p) => at(p.state as Snap, t))));
      expect([...reachedTargets].sort()).toEqual([...targets].sort());
      // A cash withdrawal needs at least: start-up, card, PIN, menu, amount, check, receipt choice, approval,
      // dispense, eject, card taken, present.
      const toCash = paths.filter((p) => at(p.state as Snap, 'inService.takeCash')).map((p) => p.steps.length);
      expect(Math.min(...toCash)).toBeGreaterThanOrEqual(9);
    });
  });
}
