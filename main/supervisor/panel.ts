/**
 * The branch-staff panel shown while the machine is in its `supervisor` state (operator switch or safe door):
 * operator login on the PIN pad, a role-filtered menu, replenishment (with dual control), totals, balancing,
 * service mode, diagnostics, journal viewer, reprints, key status and operator administration.
 *
 * Screens are ScreenModels (supervisorLogin / supervisorMenu / supervisorPanel) with catalogue keys, FDK-bound
 * options, a `table` and an `input`. Numbers and passwords are typed on the PIN pad in data-entry mode (the
 * simulator's keyboard drives the same PIN pad); a masked input never carries its digits in the ScreenModel.
 */
import type { ScreenModel, ScreenOption, Fdk, ScreenId, TableCell } from '../common/contract';
import type { SupervisorPanel } from '../core/supervisor-port';
import type { Journal } from '../../journals/journal';
import type { PinPadService, KeyEvent } from '../../devices/pinpad/types';
import type { Completion } from '../../devices/common/types';
import { OperatorError, type Operator, type OperatorStore } from './operator-store';
import { DUAL_CONTROL_MESSAGES, type DualControl } from './dual-control';
import { can, type Permission, type Role } from './roles';
import { CashInputError, parseCount, signed, type BalanceLine, type CashOffice, type UnitAction, type UnitChangeRecord } from './cash-office';
import { DEVICE_NAMES, Diagnostics, type DeviceName, type JournalSearch } from './diagnostics';
import { operatorStateCell, txnTotalCell, unitTypeCell } from './cells';
import { kcv } from '../crypto/kcv';
import { hasOddParity } from '../crypto/parity';

const ORDER: Fdk[] = ['fdk05', 'fdk06', 'fdk07', 'fdk08', 'fdk01', 'fdk02', 'fdk03', 'fdk04'];
const JOURNAL_PAGE = 5;

interface Opt {
  id: string;
  label: string;
  params?: Record<string, string | number>;
  run: () => void | Promise<void>;
}

interface EntrySpec {
  /** Identifies the entry: a different key starts a fresh entry on the PIN pad. */
  key: string;
  label: string;
  params?: Record<string, string | number>;
  masked: boolean;
  maxLen: number;
  /** Hexadecimal: digits on the PIN pad, A-F on the function keys (options hex:A..hex:F). */
  hex?: boolean;
  onEnter: (value: string) => void | Promise<void>;
}

interface View {
  screen: ScreenId;
  title: string;
  message?: string;
  params?: Record<string, string | number>;
  table?: { columns: string[]; rows: TableCell[][] };
  options: Opt[];
  entry?: EntrySpec;
  onCancel?: () => void;
}

export interface PanelDeps {
  store: OperatorStore;
  dual: DualControl;
  cash: CashOffice;
  diag: Diagnostics;
  pinpad: PinPadService;
  journal: Journal;
  setServiceMode: (mode: 'in' | 'out', by: string) => void;
  serviceMode: () => 'in' | 'out';
  locale: string;
  currency: string;
  formatMoney: (minor: number) => string;
  /** Minor units per major unit of the currency (denominations are typed in whole units). */
  minorPerMajor: number;
  dualControlCash: boolean;
  /**
   * Loads the terminal master key from clear components (each checked against its KCV), returning its name and
   * check value. The components are wiped by the caller afterwards.
   */
  loadMasterKey: (components: Array<{ value: Buffer; kcv: Buffer }>) => { name: string; kcv: string };
  /** Logs the operator out after this long without a key (0 = never). */
  idleLogoutMs: number;
}

type Message = { key: string; params?: Record<string, string | number> } | null;

export class BranchStaffPanel implements SupervisorPanel {
  private listeners = new Set<() => void>();
  private isOpen = false;
  private op: Operator | null = null;
  private make: () => View = () => this.loginView();
  private message: Message = null;
  private busy = false;
  // PIN pad data entry
  private entryKey: string | null = null;
  private entryToken = 0;
  private buffer = '';
  private offKeys: (() => void) | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  // Flow state
  private loginId = '';
  private plan = new Map<string, UnitAction>();
  private page = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly d: PanelDeps) {}

  /** The operator logged in now (tests, status). */
  operator(): Operator | null {
    return this.op;
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  open(): void {
    if (this.isOpen) return;
    this.isOpen = true;
    this.op = null;
    this.message = null;
    this.d.journal.append('supervisor.opened', {});
    this.offKeys = this.d.pinpad.events.on('key', (k: KeyEvent) => this.onKey(k));
    this.go(() => this.loginView());
  }

  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.stopEntry();
    this.offKeys?.();
    this.offKeys = null;
    this.clearIdle();
    if (this.d.cash.exchangeActive()) this.pending = this.abandonExchange('supervisorClosed');
    if (this.op) this.d.journal.append('supervisor.logout', { operator: this.op.operatorId, reason: 'supervisorClosed' });
    this.op = null;
    this.d.journal.append('supervisor.closed', {});
    this.make = () => this.loginView();
    this.changed();
  }

  /** Resolves when an exchange the panel had to abandon (logout, close) has been ended on the dispenser. */
  settled(): Promise<void> {
    return this.pending;
  }

  /** Closes the panel and waits for a dispenser exchange it had to abandon (kiosk stop). */
  async shutdown(): Promise<void> {
    this.close();
    await this.pending;
  }

  screen(seq: number, lang: string): ScreenModel {
    const v = this.view();
    const msg = this.message;
    // While an action runs nothing can be selected: no options are offered.
    const options: ScreenOption[] = (this.busy ? [] : v.options).slice(0, ORDER.length).map((o, i) => ({ id: o.id, label: o.label, ...(o.params ? { params: o.params } : {}), fdk: ORDER[i]! }));
    const params = { ...(v.params ?? {}), ...(msg?.params ?? {}), ...(v.entry?.params ?? {}) };
    // The input is shown only while the PIN pad is really taking it (not while an action runs).
    const entry = v.entry && !this.busy && this.entryKey === v.entry.key ? v.entry : null;
    return {
      screen: v.screen,
      seq,
      title: v.title,
      ...(msg ? { message: msg.key } : this.busy ? { message: 'msg.pleaseWait' } : v.message ? { message: v.message } : {}),
      params,
      options,
      locale: this.d.locale,
      currency: this.d.currency,
      lang,
      ...(v.table ? { table: v.table } : {}),
      ...(entry ? { input: { label: entry.label, value: entry.masked ? '*'.repeat(this.buffer.length) : this.buffer, masked: entry.masked } } : {}),
    };
  }

  select(option: string): void {
    if (!this.isOpen || this.busy) return;
    this.touch();
    const v = this.view();
    const o = v.options.find((x) => x.id === option) ?? (this.op && this.make === this.menuFactory ? this.menuItems().find((x) => x.id === option) : undefined);
    if (!o) return;
    this.message = null;
    this.run(o.run);
  }

  cancel(): void {
    if (!this.isOpen || this.busy) return;
    this.touch();
    this.message = null;
    const v = this.view();
    if (v.onCancel) this.run(v.onCancel);
    else this.go(this.op ? this.menuFactory : () => this.loginView());
  }

  // ---- plumbing ----

  private view(): View {
    return this.make();
  }

  private go(make: () => View, message: Message = null): void {
    if (make !== this.make) this.page = 0;
    this.make = make;
    if (message) this.message = message;
    this.syncEntry();
    this.changed();
  }

  /** Runs an action; input errors become the screen's message, anything else a generic failure (journaled). */
  private run(fn: () => void | Promise<void>): void {
    let r: void | Promise<void>;
    try {
      r = fn();
    } catch (e) {
      this.fail(e);
      return;
    }
    if (r instanceof Promise) {
      this.busy = true;
      this.stopEntry();
      this.changed();
      r.catch((e: unknown) => this.fail(e)).finally(() => {
        this.busy = false;
        this.touch();
        if (this.isOpen) {
          this.syncEntry();
          this.changed();
        }
      });
    } else {
      this.syncEntry();
      this.changed();
    }
  }

  private fail(e: unknown): void {
    if (e instanceof CashInputError) this.message = { key: e.key, params: e.params };
    else if (e instanceof OperatorError) this.message = { key: e.message.startsWith('sup.') ? e.message : OPERATOR_ERRORS[e.code] };
    else {
      this.message = { key: 'sup.actionFailed' };
      try {
        this.d.journal.append('supervisor.error', { operator: this.op?.operatorId ?? null, error: e instanceof Error ? e.name : 'error' });
      } catch {
        // journal unavailable: the screen still says the action failed
      }
    }
    this.syncEntry();
    this.changed();
  }

  private need(p: Permission): boolean {
    if (this.op && can(this.op.role, p)) return true;
    this.d.journal.append('supervisor.refused', { operator: this.op?.operatorId ?? null, role: this.op?.role ?? null, needs: p });
    this.message = { key: 'sup.notPermitted' };
    return false;
  }

  private by(): string {
    return this.op?.operatorId ?? 'unknown';
  }

  // ---- PIN pad data entry ----

  private syncEntry(): void {
    if (!this.isOpen || this.busy) return;
    const spec = this.view().entry;
    const want = spec?.key ?? null;
    if (want === this.entryKey) return;
    this.stopEntry();
    if (!spec) return;
    this.entryKey = spec.key;
    this.buffer = '';
    const token = ++this.entryToken;
    // Hex entries: the PIN pad takes the digits, the function keys the letters; the panel keeps the value.
    void this.d.pinpad.dataEntry({ maxLen: spec.hex ? 64 : spec.maxLen }).then((r) => this.entryDone(token, r));
  }

  private stopEntry(): void {
    this.buffer = '';
    if (this.entryKey === null) return;
    this.entryKey = null;
    this.entryToken++;
    this.d.pinpad.cancel();
  }

  private entryDone(token: number, r: Completion<{ digits: string; completion: 'enter' | 'cancel' | 'fdk' }>): void {
    if (token !== this.entryToken || !this.isOpen) return;
    this.entryKey = null;
    const spec = this.view().entry;
    if (r.completionCode !== 'success') {
      if (r.completionCode !== 'canceled') this.message = { key: 'sup.pinpadUnavailable' };
      this.changed();
      return;
    }
    const digits = spec?.hex ? this.buffer : r.payload.digits;
    this.buffer = '';
    // Cancel arrives as a key event too (handled by cancel()); Enter submits.
    if (r.payload.completion !== 'enter' || !spec) {
      this.syncEntry();
      this.changed();
      return;
    }
    this.touch();
    this.message = null;
    if (digits === '') {
      this.message = { key: 'sup.enterValue' };
      this.syncEntry();
      this.changed();
      return;
    }
    this.run(() => spec.onEnter(digits));
  }

  private onKey(k: KeyEvent): void {
    if (this.entryKey === null) return;
    if (k.kind === 'dataDigit') {
      const spec = this.view().entry;
      if (spec?.hex && this.buffer.length + k.digit.length > spec.maxLen) return;
      this.buffer += k.digit;
    }
    else if (k.kind === 'function' && k.key === 'clear') this.buffer = '';
    else if (k.kind === 'function' && k.key === 'backspace') this.buffer = this.buffer.slice(0, -1);
    else return;
    this.touch();
    this.changed();
  }

  private touch(): void {
    this.clearIdle();
    if (!this.op || this.d.idleLogoutMs <= 0) return;
    this.idleTimer = setTimeout(() => {
      // Never in the middle of an action (a password hash, a device command): count again from its end.
      if (this.busy) this.touch();
      else this.logout('idle');
    }, this.d.idleLogoutMs);
    this.idleTimer.unref?.();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private logout(reason: 'operator' | 'idle'): void {
    if (!this.op) return;
    if (this.d.cash.exchangeActive()) this.pending = this.abandonExchange(reason);
    this.d.journal.append('supervisor.logout', { operator: this.op.operatorId, reason });
    this.op = null;
    this.clearIdle();
    this.go(() => this.loginView(), reason === 'idle' ? { key: 'sup.loggedOutIdle' } : null);
  }

  private async abandonExchange(reason: string): Promise<void> {
    const by = this.by();
    this.plan.clear();
    try {
      await this.d.cash.endExchange(new Map(), by, null);
      this.d.journal.append('cash.exchangeAbandoned', { by, reason });
    } catch {
      try {
        this.d.journal.append('cash.exchangeAbandoned', { by, reason, ended: false });
      } catch {
        // database already closed (kiosk stopping): the dispenser's exchange state is reset at its next start
      }
    }
  }

  // ---- login and passwords ----

  private loginView(): View {
    if (this.d.store.count() === 0) {
      return { screen: 'supervisorLogin', title: 'sup.titleLogin', message: 'sup.noOperators', options: [] };
    }
    return {
      screen: 'supervisorLogin',
      title: 'sup.titleLogin',
      message: 'sup.loginHelp',
      options: [],
      entry: {
        key: 'login.id',
        label: 'sup.operatorId',
        masked: false,
        maxLen: 8,
        onEnter: (id) => {
          this.loginId = id;
          this.go(() => this.passwordView());
        },
      },
      onCancel: () => this.go(() => this.loginView()),
    };
  }

  private passwordView(): View {
    return {
      screen: 'supervisorLogin',
      title: 'sup.titleLogin',
      // The typed id is not echoed: it could be a password typed into the wrong field.
      message: 'sup.passwordHelp',
      options: [{ id: 'back', label: 'opt.cancel', run: () => this.go(() => this.loginView()) }],
      entry: {
        key: 'login.password',
        label: 'sup.password',
        masked: true,
        maxLen: this.d.store.policy.maxLength,
        onEnter: async (pw) => {
          const r = await this.d.store.authenticate(this.loginId, pw);
          if (!r.ok) {
            this.go(() => this.loginView(), { key: r.reason === 'locked' ? 'sup.operatorLocked' : r.reason === 'disabled' ? 'sup.operatorDisabled' : 'sup.loginRefused' });
            return;
          }
          this.op = r.operator;
          this.touch();
          if (r.operator.mustChange) this.go(() => this.newPasswordView(true), { key: 'sup.mustChangePassword' });
          else this.go(this.menuFactory);
        },
      },
    };
  }

  /** Own password change: new password twice. Forced after the first login with a one-time password. */
  private newPasswordView(forced: boolean, first?: string): View {
    const leave = forced ? () => this.logout('operator') : () => this.go(this.menuFactory);
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleChangePassword',
      message: 'sup.passwordRules',
      params: { min: this.d.store.policy.minLength, max: this.d.store.policy.maxLength },
      options: [{ id: 'back', label: forced ? 'sup.optLogout' : 'sup.optBack', run: leave }],
      onCancel: leave,
      entry: first === undefined
        ? { key: 'pw.new', label: 'sup.newPassword', masked: true, maxLen: this.d.store.policy.maxLength, onEnter: (pw) => this.go(() => this.newPasswordView(forced, pw)) }
        : {
            key: 'pw.confirm',
            label: 'sup.confirmPassword',
            masked: true,
            maxLen: this.d.store.policy.maxLength,
            onEnter: async (pw) => {
              if (pw !== first) {
                this.go(() => this.newPasswordView(forced), { key: 'sup.passwordMismatch' });
                return;
              }
              try {
                await this.d.store.changePassword(this.op!.operatorId, pw);
              } catch (e) {
                this.go(() => this.newPasswordView(forced));
                throw e;
              }
              this.op = this.d.store.get(this.op!.operatorId);
              this.go(this.menuFactory, { key: 'sup.passwordChanged' });
            },
          },
    };
  }

  // ---- menu ----

  private readonly menuFactory = (): View => ({
    screen: 'supervisorMenu',
    title: 'sup.titleMenu',
    message: this.op ? LOGGED_IN[this.op.role] : 'sup.loginHelp',
    params: { operator: this.op?.operatorId ?? '', role: this.op?.role ?? '' },
    options: this.menuItems().filter((o) => o.id === 'logout' || o.id === 'password' || (this.op !== null && can(this.op.role, MENU_PERMISSION[o.id]!))),
    onCancel: () => this.logout('operator'),
  });

  private menuItems(): Opt[] {
    const guarded = (id: string, label: string, open: () => void): Opt => ({
      id,
      label,
      run: () => {
        if (!this.need(MENU_PERMISSION[id]!)) return;
        open();
      },
    });
    return [
      guarded('cash', 'sup.optCash', () => this.go(() => this.cashView())),
      guarded('devices', 'sup.optDevices', () => this.go(() => this.devicesView())),
      guarded('journal', 'sup.optJournal', () => this.go(() => this.journalMenuView())),
      guarded('reprint', 'sup.optReprint', () => this.go(() => this.reprintView())),
      guarded('keys', 'sup.optKeys', () => {
        this.d.journal.append('supervisor.keyStatus', { by: this.by(), keys: this.d.diag.keyTable().map((r) => ({ name: r[0], kcv: r[3] })) });
        this.go(() => this.keysView());
      }),
      guarded('operators', 'sup.optOperators', () => this.go(() => this.operatorsView())),
      guarded('service', 'sup.optService', () => this.go(() => this.serviceView())),
      { id: 'password', label: 'sup.optChangePassword', run: () => this.go(() => this.newPasswordView(false)) },
      { id: 'logout', label: 'sup.optLogout', run: () => this.logout('operator') },
    ];
  }

  private back(): Opt {
    return { id: 'back', label: 'sup.optBack', run: () => this.go(this.menuFactory) };
  }

  // ---- cash ----

  private cashColumns = ['sup.colUnit', 'sup.colDenomination', 'sup.colCount', 'sup.colState'];

  private cashView(): View {
    const change = this.op !== null && can(this.op.role, 'cash.change');
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleCash',
      table: { columns: this.cashColumns, rows: this.d.cash.cassetteTable() },
      options: [
        ...(change ? [{ id: 'exchange', label: 'sup.optReplenish', run: () => this.startExchange() }] : []),
        { id: 'cassetteTotal', label: 'sup.optCassetteTotal', run: () => this.printCassetteTotal() },
        { id: 'trialTotal', label: 'sup.optTrialTotal', run: () => this.totals('trial') },
        ...(change ? [{ id: 'dayTotal', label: 'sup.optDayTotal', run: () => this.totals('day') }] : []),
        ...(change ? [{ id: 'balance', label: 'sup.optBalancing', run: () => this.startBalancing() }] : []),
        this.back(),
      ],
    };
  }

  private async printCassetteTotal(): Promise<void> {
    if (!this.need('cash.view')) return;
    const ok = await this.d.cash.printCassetteTotals(this.by());
    this.message = { key: ok ? 'sup.printed' : 'sup.printFailed' };
  }

  private async totals(kind: 'trial' | 'day'): Promise<void> {
    if (!this.need(kind === 'day' ? 'cash.change' : 'cash.view')) return;
    const t = this.d.cash.totals(kind, this.by());
    const ok = await this.d.cash.printTotals(t);
    const rows: TableCell[][] = [
      ...Object.entries(t.transactions).map(([k, v]) => [txnTotalCell(k), String(v)]),
      ...Object.entries(t.notes).map(([k, v]) => [{ key: 'sup.totalNotes', params: { unit: k } }, String(v)]),
      [{ key: 'sup.totalDelivered' }, this.d.formatMoney(t.delivered)],
    ];
    this.go(
      () => ({
        screen: 'supervisorPanel',
        title: kind === 'day' ? 'sup.titleDayTotal' : 'sup.titleTrialTotal',
        table: { columns: ['sup.colItem', 'sup.colValue'], rows },
        options: [{ id: 'back', label: 'sup.optBack', run: () => this.go(() => this.cashView()) }],
        onCancel: () => this.go(() => this.cashView()),
      }),
      { key: ok ? 'sup.printed' : 'sup.printFailed' },
    );
  }

  private async startExchange(): Promise<void> {
    if (!this.need('cash.change')) return;
    if (!this.d.cash.exchangeActive()) await this.d.cash.startExchange(this.by());
    this.plan.clear();
    this.go(() => this.exchangeView());
  }

  private planned(id: string): string {
    const a = this.plan.get(id);
    if (!a) return '';
    if (a.kind === 'empty') return '0';
    const u = this.d.cash.units().find((x) => x.id === id)!;
    return String(a.kind === 'set' ? a.count : u.count + a.notes);
  }

  private exchangeView(): View {
    const units = this.d.cash.units();
    const items: Opt[] = units.map((u) => ({
      id: `unit:${u.id}`,
      label: u.type === 'dispense' ? 'sup.optUnit' : u.type === 'reject' ? 'sup.optEmptyRejectBin' : 'sup.optEmptyRetractBin',
      params: { unit: u.id, value: u.type === 'dispense' ? this.d.formatMoney(u.denomination) : u.type },
      run: () => {
        if (u.type === 'dispense') this.go(() => this.unitView(u.id));
        else {
          if (this.plan.get(u.id)) this.plan.delete(u.id);
          else this.plan.set(u.id, { kind: 'empty' });
          this.go(() => this.exchangeView());
        }
      },
    }));
    const fixed: Opt[] = [
      { id: 'confirm', label: 'sup.optConfirmExchange', run: () => this.confirmExchange() },
      { id: 'abandon', label: 'sup.optCancelExchange', run: () => this.cancelExchange() },
    ];
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleExchange',
      message: 'sup.exchangeHelp',
      table: {
        columns: ['sup.colUnit', 'sup.colDenomination', 'sup.colCount', 'sup.colPlanned'],
        rows: units.map((u) => [u.id, denomCell(u, this.d.formatMoney), String(u.count), this.planned(u.id)]),
      },
      options: this.paged(items, fixed, () => this.exchangeView()),
      onCancel: () => this.cancelExchange(),
    };
  }

  /** Item options with fixed ones; when they do not fit, a "more" option pages through the items. */
  private paged(items: Opt[], fixed: Opt[], again: () => View): Opt[] {
    const room = ORDER.length - fixed.length;
    if (items.length <= room) return [...items, ...fixed];
    const per = room - 1;
    const pages = Math.ceil(items.length / per);
    const page = this.page % pages;
    return [
      ...items.slice(page * per, page * per + per),
      {
        id: 'more',
        label: 'sup.optMore',
        params: { page: page + 1, pages },
        run: () => {
          this.page = (page + 1) % pages;
          this.make = again;
        },
      },
      ...fixed,
    ];
  }

  private unitView(id: string): View {
    const u = this.d.cash.units().find((x) => x.id === id)!;
    const backToExchange = () => this.go(() => this.exchangeView());
    const entry = (key: string, label: string, make: (n: number) => UnitAction): void =>
      this.go(() => ({
        ...this.unitView(id),
        entry: {
          key: `unit.${id}.${key}`,
          label,
          params: { unit: id, capacity: u.capacity },
          masked: false,
          maxLen: 6,
          onEnter: (text) => {
            const a = make(key === 'denomination' ? parseDenomination(text, this.d.minorPerMajor) : parseCount(text));
            this.d.cash.validate(u, a);
            this.plan.set(id, a);
            backToExchange();
          },
        },
        onCancel: () => this.go(() => this.unitView(id)),
      }));
    const current = this.plan.get(id);
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleUnit',
      params: { unit: id, value: this.d.formatMoney(u.denomination), count: u.count, capacity: u.capacity },
      message: 'sup.unitHelp',
      table: { columns: ['sup.colUnit', 'sup.colCount', 'sup.colPlanned'], rows: [[u.id, String(u.count), this.planned(id)]] },
      options: [
        { id: 'set', label: 'sup.optSetCount', run: () => entry('set', 'sup.newCount', (n) => ({ kind: 'set', count: n, ...(current?.kind === 'set' && current.denomination ? { denomination: current.denomination } : {}) })) },
        { id: 'add', label: 'sup.optAddNotes', run: () => entry('add', 'sup.notesAdded', (n) => ({ kind: 'add', notes: n })) },
        {
          id: 'denomination',
          label: 'sup.optDenomination',
          run: () => entry('denomination', 'sup.denominationEntry', (minor) => ({ kind: 'set', count: current?.kind === 'set' ? current.count : u.count, denomination: minor })),
        },
        { id: 'undo', label: 'sup.optUndo', run: () => {
          this.plan.delete(id);
          backToExchange();
        } },
        { id: 'back', label: 'sup.optBack', run: backToExchange },
      ],
      onCancel: backToExchange,
    };
  }

  private async cancelExchange(): Promise<void> {
    this.plan.clear();
    await this.d.cash.endExchange(new Map(), this.by(), null);
    this.go(() => this.cashView(), { key: 'sup.exchangeCanceled' });
  }

  private async confirmExchange(): Promise<void> {
    if (!this.need('cash.change')) return;
    if (this.plan.size === 0) return this.cancelExchange();
    // Validate the whole plan before asking a second operator.
    for (const [id, a] of this.plan) this.d.cash.validate(this.d.cash.units().find((u) => u.id === id)!, a);
    if (!this.d.dualControlCash) return this.applyExchange(null);
    this.go(() => this.dualView('cashExchange', 'cash.confirm', (second) => this.applyExchange(second), () => this.go(() => this.exchangeView())));
  }

  private async applyExchange(second: string | null): Promise<void> {
    const changes = await this.d.cash.endExchange(this.plan, this.by(), second);
    this.plan.clear();
    const printed = await this.d.cash.printCassetteTotals(this.by());
    this.go(() => this.exchangeDoneView(changes), { key: printed ? 'sup.exchangeDone' : 'sup.exchangeDoneNoPrint' });
  }

  private exchangeDoneView(changes: UnitChangeRecord[]): View {
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleExchange',
      table: { columns: ['sup.colUnit', 'sup.colDenomination', 'sup.colBefore', 'sup.colAfter'], rows: changes.map((c) => [c.id, denomCell(c, this.d.formatMoney), String(c.before), String(c.after)]) },
      options: [{ id: 'back', label: 'sup.optBack', run: () => this.go(() => this.cashView()) }],
      onCancel: () => this.go(() => this.cashView()),
    };
  }

  /** The second operator's login for a dual-controlled action. */
  private dualView(action: string, needs: Permission, then: (second: string) => Promise<void>, abort: () => void, secondId?: string): View {
    return {
      screen: 'supervisorLogin',
      title: 'sup.titleDualControl',
      message: secondId === undefined ? 'sup.dualHelp' : 'sup.passwordHelp',
      options: [{ id: 'back', label: 'opt.cancel', run: abort }],
      onCancel: abort,
      entry:
        secondId === undefined
          ? { key: `dual.${action}.id`, label: 'sup.operatorId', masked: false, maxLen: 8, onEnter: (id) => this.go(() => this.dualView(action, needs, then, abort, id)) }
          : {
              key: `dual.${action}.password`,
              label: 'sup.password',
              masked: true,
              maxLen: this.d.store.policy.maxLength,
              onEnter: async (pw) => {
                const r = await this.d.dual.confirm(action, this.op!, secondId, pw, needs);
                if (!r.ok) {
                  this.go(() => this.dualView(action, needs, then, abort), { key: DUAL_CONTROL_MESSAGES[r.reason] });
                  return;
                }
                await then(r.second.operatorId);
              },
            },
    };
  }

  // ---- balancing ----

  private startBalancing(): void {
    if (!this.need('cash.change')) return;
    const counts = new Map<string, number>();
    const ids = this.d.cash.units().map((u) => u.id);
    const step = (i: number): View => {
      const u = this.d.cash.units().find((x) => x.id === ids[i])!;
      return {
        screen: 'supervisorPanel',
        title: 'sup.titleBalancing',
        message: 'sup.balancingHelp',
        params: { unit: u.id, step: i + 1, steps: ids.length },
        table: { columns: ['sup.colUnit', 'sup.colDenomination', 'sup.colCounted'], rows: ids.map((id) => [id, denomCell(this.d.cash.units().find((x) => x.id === id)!, this.d.formatMoney), counts.has(id) ? String(counts.get(id)) : '']) },
        options: [{ id: 'back', label: 'opt.cancel', run: () => this.go(() => this.cashView()) }],
        onCancel: () => this.go(() => this.cashView()),
        entry: {
          key: `balance.${u.id}`,
          label: 'sup.physicalCount',
          params: { unit: u.id },
          masked: false,
          maxLen: 6,
          onEnter: (text) => {
            const n = parseCount(text);
            if (n > u.capacity) throw new CashInputError('sup.overCapacity', { unit: u.id, capacity: u.capacity });
            counts.set(u.id, n);
            if (i + 1 < ids.length) this.go(() => step(i + 1));
            else {
              const lines = this.d.cash.balance(counts, this.by());
              this.go(() => this.balanceReportView(lines));
            }
          },
        },
      };
    };
    this.go(() => step(0));
  }

  private balanceReportView(lines: BalanceLine[]): View {
    const balanced = lines.every((l) => l.difference === 0 && l.journal === l.device);
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleBalancing',
      message: balanced ? 'sup.balanced' : 'sup.differences',
      params: { value: this.d.formatMoney(lines.reduce((s, l) => s + l.difference * l.denomination, 0)) },
      table: {
        columns: ['sup.colUnit', 'sup.colDevice', 'sup.colJournal', 'sup.colCounted', 'sup.colDifference'],
        rows: lines.map((l) => [l.id, String(l.device), String(l.journal), String(l.physical), signed(l.difference)]),
      },
      options: [
        {
          id: 'print',
          label: 'sup.optPrint',
          run: async () => {
            this.message = { key: (await this.d.cash.printBalancing(lines)) ? 'sup.printed' : 'sup.printFailed' };
          },
        },
        { id: 'back', label: 'sup.optBack', run: () => this.go(() => this.cashView()) },
      ],
      onCancel: () => this.go(() => this.cashView()),
    };
  }

  // ---- service mode ----

  private serviceView(): View {
    const mode = this.d.serviceMode();
    const set = (m: 'in' | 'out') => () => {
      if (!this.need('service')) return;
      this.d.setServiceMode(m, `operator:${this.by()}`);
      this.go(() => this.serviceView(), { key: m === 'in' ? 'sup.nowInService' : 'sup.nowOutOfService' });
    };
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleService',
      message: mode === 'in' ? 'sup.modeIn' : 'sup.modeOut',
      options: [mode === 'in' ? { id: 'out', label: 'sup.optOutOfService', run: set('out') } : { id: 'in', label: 'sup.optInService', run: set('in') }, this.back()],
    };
  }

  // ---- diagnostics ----

  private devicesView(): View {
    const test = (device: DeviceName): Opt => ({
      id: `test:${device}`,
      label: TEST_LABELS[device],
      run: async () => {
        if (!this.need('devices')) return;
        const r = await this.d.diag.test(device, this.by());
        this.message = { key: r.ok ? 'sup.testPassed' : 'sup.testFailed', params: { device, detail: r.detail } };
      },
    });
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleDevices',
      table: { columns: ['sup.colDevice', 'sup.colState', 'sup.colDetail'], rows: this.d.diag.deviceTable() },
      options: [...DEVICE_NAMES.map(test), this.back()],
    };
  }

  private keysView(): View {
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleKeys',
      message: 'sup.keysHelp',
      table: { columns: ['sup.colKeyName', 'sup.colUsage', 'sup.colAlgorithm', 'sup.colKcv'], rows: this.d.diag.keyTable() },
      options: [...(this.op && can(this.op.role, 'keys.load') ? [{ id: 'loadKey', label: 'sup.optLoadMasterKey', run: () => this.startKeyLoad() }] : []), this.back()],
    };
  }

  // ---- key loading (dual control: one component per operator) ----

  private startKeyLoad(): void {
    if (!this.need('keys.load')) return;
    const components: Array<{ value: Buffer; kcv: Buffer }> = [];
    let second: string | null = null;
    const wipe = () => {
      for (const c of components) c.value.fill(0);
      components.length = 0;
    };
    const abort = () => {
      const entered = components.length;
      wipe();
      this.d.journal.append('supervisor.keyLoadCanceled', { by: this.by(), second, componentsEntered: entered });
      this.go(() => this.keysView());
    };
    const hexOptions = (): Opt[] =>
      ['A', 'B', 'C', 'D', 'E', 'F'].map((l) => ({
        id: `hex:${l}`,
        label: 'sup.hexDigit',
        params: { digit: l },
        run: () => {
          const spec = this.view().entry;
          if (spec?.hex && this.entryKey === spec.key && this.buffer.length < spec.maxLen) this.buffer += l;
        },
      }));
    const componentView = (n: 1 | 2): View => ({
      screen: 'supervisorPanel',
      title: 'sup.titleKeyLoad',
      message: 'sup.componentHelp',
      params: { n, operator: n === 1 ? this.by() : (second ?? '') },
      options: [...hexOptions(), { id: 'back', label: 'opt.cancel', run: abort }],
      onCancel: abort,
      entry: {
        key: `key.c${n}`,
        label: 'sup.component',
        masked: true,
        hex: true,
        maxLen: 32,
        onEnter: (text) => {
          if (!/^[0-9A-F]{32}$/.test(text)) throw new CashInputError('sup.componentLength');
          const value = Buffer.from(text, 'hex');
          if (!hasOddParity(value)) {
            value.fill(0);
            throw new CashInputError('sup.componentParity');
          }
          this.go(() => kcvView(n, value));
        },
      },
    });
    const kcvView = (n: 1 | 2, value: Buffer): View => ({
      screen: 'supervisorPanel',
      title: 'sup.titleKeyLoad',
      message: 'sup.componentKcvHelp',
      params: { n },
      options: [...hexOptions(), { id: 'back', label: 'opt.cancel', run: () => { value.fill(0); abort(); } }],
      onCancel: () => {
        value.fill(0);
        abort();
      },
      entry: {
        key: `key.k${n}`,
        label: 'sup.componentKcv',
        masked: false,
        hex: true,
        maxLen: 6,
        onEnter: (text) => {
          const check = kcv(value, 'tdes', 3);
          if (text !== check.toString('hex').toUpperCase()) {
            value.fill(0);
            this.d.journal.append('supervisor.keyComponentRejected', { by: n === 1 ? this.by() : second, component: n, reason: 'kcvMismatch' });
            this.go(() => componentView(n), { key: 'sup.kcvMismatch' });
            return;
          }
          components.push({ value, kcv: check });
          if (n === 1) {
            this.go(() =>
              this.dualView('keyLoad', 'keys.load', async (id) => {
                second = id;
                this.go(() => componentView(2));
              }, abort),
            );
            return;
          }
          let loaded: { name: string; kcv: string };
          try {
            loaded = this.d.loadMasterKey(components);
          } catch {
            wipe();
            this.d.journal.append('supervisor.keyLoadFailed', { by: this.by(), second });
            this.go(() => this.keysView(), { key: 'sup.keyLoadFailed' });
            return;
          }
          wipe();
          this.d.journal.append('supervisor.keyLoaded', { by: this.by(), confirmedBy: second, name: loaded.name, kcv: loaded.kcv, components: 2 });
          this.go(() => this.keysView(), { key: 'sup.keyLoaded', params: { name: loaded.name, kcv: loaded.kcv } });
        },
      },
    });
    this.go(() => componentView(1));
  }

  private reprintView(): View {
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleReprint',
      message: 'sup.reprintHelp',
      options: [this.back()],
      entry: {
        key: 'reprint',
        label: 'sup.reprintCount',
        masked: false,
        maxLen: 2,
        onEnter: async (text) => {
          if (!this.need('journal')) return;
          const r = await this.d.diag.reprint(Number(text), this.by());
          this.go(() => this.reprintView(), { key: r.receipts === 0 ? 'sup.noReceipts' : r.printed ? 'sup.reprinted' : 'sup.printFailed', params: { count: r.receipts } });
        },
      },
    };
  }

  private journalMenuView(): View {
    const search = (id: string, label: string, entryLabel: string, maxLen: number, parse: (t: string) => JournalSearch): Opt => ({
      id,
      label,
      run: () =>
        this.go(() => ({
          ...this.journalMenuView(),
          entry: { key: `journal.${id}`, label: entryLabel, masked: false, maxLen, onEnter: (t) => this.showJournal(parse(t)) },
          onCancel: () => this.go(() => this.journalMenuView()),
        })),
    });
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleJournal',
      message: 'sup.journalHelp',
      options: [
        { id: 'recent', label: 'sup.optRecent', run: () => this.showJournal({ by: 'recent' }) },
        search('byDate', 'sup.optByDate', 'sup.dateEntry', 8, (t) => ({ by: 'date', date: t })),
        search('byTxn', 'sup.optByTxn', 'sup.txnEntry', 4, (t) => ({ by: 'txn', txn: Number(t) })),
        search('byCard', 'sup.optByCard', 'sup.cardEntry', 10, (t) => {
          if (t.length === 4) return { by: 'pan', last4: t };
          if (t.length === 10) return { by: 'pan', first6: t.slice(0, 6), last4: t.slice(6) };
          throw new CashInputError('sup.badPanSearch');
        }),
        this.back(),
      ],
    };
  }

  private showJournal(q: JournalSearch): void {
    if (!this.need('journal')) return;
    const found = this.d.diag.search(q);
    const criterion = q.by === 'date' ? q.date : q.by === 'txn' ? String(q.txn) : q.by === 'pan' ? `${q.first6 ?? ''}*${q.last4}` : '';
    this.d.journal.append('supervisor.journalSearch', { by: this.by(), search: q.by, criterion, found: found.length });
    let page = 0;
    const pages = Math.max(1, Math.ceil(found.length / JOURNAL_PAGE));
    const view = (): View => ({
      screen: 'supervisorPanel',
      title: 'sup.titleJournal',
      message: found.length ? 'sup.journalPage' : 'sup.journalEmpty',
      params: { page: page + 1, pages, found: found.length },
      table: { columns: ['sup.colTime', 'sup.colTxn', 'sup.colKind', 'sup.colCard', 'sup.colData'], rows: found.slice(page * JOURNAL_PAGE, (page + 1) * JOURNAL_PAGE).map(Diagnostics.row) },
      options: [
        ...(page + 1 < pages ? [{ id: 'older', label: 'sup.optOlder', run: () => { page++; } }] : []),
        ...(page > 0 ? [{ id: 'newer', label: 'sup.optNewer', run: () => { page--; } }] : []),
        { id: 'back', label: 'sup.optBack', run: () => this.go(() => this.journalMenuView()) },
      ],
      onCancel: () => this.go(() => this.journalMenuView()),
    });
    this.go(view);
  }

  // ---- operators (admin) ----

  private operatorsView(): View {
    const withId = (id: string, label: string, act: (opId: string) => void | Promise<void>): Opt => ({
      id,
      label,
      run: () =>
        this.go(() => ({
          ...this.operatorsView(),
          entry: {
            key: `ops.${id}`,
            label: 'sup.operatorId',
            masked: false,
            maxLen: 8,
            onEnter: (opId) => {
              if (!this.need('operators')) return;
              return act(opId);
            },
          },
          onCancel: () => this.go(() => this.operatorsView()),
        })),
    });
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleOperators',
      table: {
        columns: ['sup.colOperator', 'sup.colRole', 'sup.colState', 'sup.colLastLogin'],
        rows: this.d.store.list().map((o) => [o.operatorId, { key: ROLE_LABELS[o.role] }, operatorStateCell(o.disabled ? 'disabled' : o.locked ? 'locked' : o.mustChange ? 'mustChange' : 'active'), o.lastLogin?.slice(0, 16).replace('T', ' ') ?? '']),
      },
      options: [
        withId('add', 'sup.optAddOperator', (opId) => {
          if (this.d.store.get(opId)) throw new OperatorError('exists', 'sup.operatorExists');
          if (!/^\d{3,8}$/.test(opId)) throw new OperatorError('badId', 'sup.badOperatorId');
          this.go(() => this.roleView(opId));
        }),
        withId('reset', 'sup.optResetPassword', (opId) => {
          if (!this.d.store.get(opId)) throw new OperatorError('unknown', 'sup.unknownOperator');
          if (opId === this.op?.operatorId) throw new OperatorError('unknown', 'sup.notSelf');
          this.go(() => this.oneTimePasswordView(opId, null));
        }),
        withId('disable', 'sup.optDisable', (opId) => {
          if (opId === this.op?.operatorId) throw new OperatorError('unknown', 'sup.notSelf');
          this.d.store.setDisabled(opId, true, this.by());
          this.go(() => this.operatorsView(), { key: 'sup.operatorUpdated', params: { operator: opId } });
        }),
        withId('enable', 'sup.optEnable', (opId) => {
          this.d.store.setDisabled(opId, false, this.by());
          this.go(() => this.operatorsView(), { key: 'sup.operatorUpdated', params: { operator: opId } });
        }),
        this.back(),
      ],
    };
  }

  private roleView(opId: string): View {
    const pick = (role: Role): Opt => ({ id: `role:${role}`, label: ROLE_LABELS[role], run: () => this.go(() => this.oneTimePasswordView(opId, role)) });
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleOperators',
      message: 'sup.chooseRole',
      params: { operator: opId },
      options: [pick('custodian'), pick('technician'), pick('admin'), { id: 'back', label: 'opt.cancel', run: () => this.go(() => this.operatorsView()) }],
      onCancel: () => this.go(() => this.operatorsView()),
    };
  }

  /** A one-time password for a new operator (role) or a reset (role null), typed twice. */
  private oneTimePasswordView(opId: string, role: Role | null, first?: string): View {
    const abort = () => this.go(() => this.operatorsView());
    return {
      screen: 'supervisorPanel',
      title: 'sup.titleOperators',
      message: 'sup.oneTimePasswordHelp',
      params: { operator: opId, min: this.d.store.policy.minLength, max: this.d.store.policy.maxLength },
      options: [{ id: 'back', label: 'opt.cancel', run: abort }],
      onCancel: abort,
      entry:
        first === undefined
          ? { key: `otp.${opId}.1`, label: 'sup.newPassword', masked: true, maxLen: this.d.store.policy.maxLength, onEnter: (pw) => this.go(() => this.oneTimePasswordView(opId, role, pw)) }
          : {
              key: `otp.${opId}.2`,
              label: 'sup.confirmPassword',
              masked: true,
              maxLen: this.d.store.policy.maxLength,
              onEnter: async (pw) => {
                if (!this.need('operators')) return;
                if (pw !== first) {
                  this.go(() => this.oneTimePasswordView(opId, role), { key: 'sup.passwordMismatch' });
                  return;
                }
                try {
                  if (role) await this.d.store.create(opId, role, pw, this.by());
                  else await this.d.store.resetPassword(opId, pw, this.by());
                } catch (e) {
                  this.go(() => this.oneTimePasswordView(opId, role));
                  throw e;
                }
                this.go(() => this.operatorsView(), { key: 'sup.operatorUpdated', params: { operator: opId } });
              },
            },
    };
  }
}

const TEST_LABELS: Record<DeviceName, string> = {
  cardReader: 'sup.optTestCardReader',
  dispenser: 'sup.optTestDispenser',
  pinpad: 'sup.optTestPinpad',
  printer: 'sup.optTestPrinter',
};

const LOGGED_IN: Record<Role, string> = { custodian: 'sup.loggedInCustodian', technician: 'sup.loggedInTechnician', admin: 'sup.loggedInAdmin' };

const ROLE_LABELS: Record<Role, string> = { custodian: 'sup.roleCustodian', technician: 'sup.roleTechnician', admin: 'sup.roleAdmin' };

const OPERATOR_ERRORS: Record<OperatorError['code'], string> = {
  badId: 'sup.badOperatorId',
  exists: 'sup.operatorExists',
  unknown: 'sup.unknownOperator',
  weakPassword: 'sup.passwordWeak',
  samePassword: 'sup.passwordReused',
  lastAdmin: 'sup.lastAdmin',
};

const MENU_PERMISSION: Record<string, Permission> = {
  cash: 'cash.view',
  devices: 'devices',
  journal: 'journal',
  reprint: 'journal',
  keys: 'keys.view',
  operators: 'operators',
  service: 'service',
};

function denomCell(u: { type: string; denomination: number }, fmt: (m: number) => string): TableCell {
  return u.type === 'dispense' ? fmt(u.denomination) : unitTypeCell(u.type);
}

/** A denomination typed in whole currency units (e.g. 50), returned in minor units. */
export function parseDenomination(text: string, minorPerMajor: number): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) === 0) throw new CashInputError('sup.badNumber');
  return Number(text) * minorPerMajor;
}
