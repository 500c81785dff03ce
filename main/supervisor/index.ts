/**
 * Builds the branch-staff panel for a kiosk: operator store (with the first administrator), dual control, cash
 * office, diagnostics. kiosk.ts attaches the result to the UI hub.
 *
 * First administrator, in order: `supervisor.firstAdmin` from the configuration (an scrypt hash, never a clear
 * password); else, on the simulator profile only, admin 1000 with password 13572468; else none (the hardware
 * profile shows "no operators" until configured). Either way it must change its password at first login, and
 * the seeding is journaled.
 */
import type { KioskConfig } from '../config/config';
import type { Db } from '../../journals/database';
import type { Journal } from '../../journals/journal';
import type { TransactionStore } from '../../journals/transactions';
import type { KeyStore } from '../crypto/key-store';
import type { KioskDevices } from '../core/status';
import { formatMoney, minorPerMajor } from '../common/money';
import { hashPassword, OperatorStore } from './operator-store';
import { DualControl } from './dual-control';
import { CashOffice } from './cash-office';
import { Diagnostics } from './diagnostics';
import { BranchStaffPanel } from './panel';

export { BranchStaffPanel } from './panel';

/** The simulator profile's first admin (documented in README "Branch staff"; must be changed at first login). */
export const SIMULATOR_FIRST_ADMIN = { operatorId: '1000', password: '13572468' } as const;

/** The terminal master key loaded by components under dual control (key encryption, K0). */
export const MASTER_KEY_NAME = 'TMK';

export interface SupervisorDeps {
  config: KioskConfig;
  db: Db;
  journal: Journal;
  txns: TransactionStore;
  devices: KioskDevices;
  keyStore: KeyStore;
  /** Name of the PIN encryption key (self test). */
  pinKeyName: string;
  setServiceMode: (mode: 'in' | 'out', by: string) => void;
  serviceMode: () => 'in' | 'out';
}

export async function createSupervisor(d: SupervisorDeps): Promise<{ panel: BranchStaffPanel; operators: OperatorStore }> {
  const sup = d.config.supervisor;
  const t = d.config.terminal;
  const money = (minor: number) => formatMoney(minor, t.currency, t.locale);
  const operators = new OperatorStore(d.db, d.journal, { maxFailures: sup.maxFailedLogins, policy: { minLength: sup.minPasswordLength, maxLength: 16 } });
  if (operators.count() === 0) {
    if (sup.firstAdmin) operators.seedAdmin(sup.firstAdmin.operatorId, sup.firstAdmin.passwordHash, 'config');
    else if (d.config.profile === 'simulator') operators.seedAdmin(SIMULATOR_FIRST_ADMIN.operatorId, await hashPassword(SIMULATOR_FIRST_ADMIN.password), 'simulatorDefault');
    else d.journal.append('supervisor.noOperators', { hint: 'configure supervisor.firstAdmin' });
  }
  const cash = new CashOffice({ db: d.db, journal: d.journal, txns: d.txns, dispenser: d.devices.dispenser, printer: d.devices.printer, terminal: t.id, currency: t.currency, formatMoney: money });
  const diag = new Diagnostics({
    db: d.db,
    journal: d.journal,
    txns: d.txns,
    devices: d.devices,
    terminal: t.id,
    formatMoney: money,
    keys: () => (d.keyStore.zeroized ? [] : d.keyStore.list().map((k) => ({ name: k.name, usage: k.usage, algorithm: k.algorithm, kcv: k.kcv }))),
    pinKeySelfTest: () => {
      try {
        // A format 0 block for a test PIN and a test PAN, built and encrypted inside the key store; only its length is looked at.
        return d.keyStore.encryptPin(d.pinKeyName, { format: 0, pin: '0000', pan: '0000000000000000' }).length === 8;
      } catch {
        return false;
      }
    },
  });
  const panel = new BranchStaffPanel({
    store: operators,
    dual: new DualControl(operators, d.journal),
    cash,
    diag,
    pinpad: d.devices.pinpad,
    journal: d.journal,
    setServiceMode: d.setServiceMode,
    serviceMode: d.serviceMode,
    locale: t.locale,
    currency: t.currency,
    formatMoney: money,
    minorPerMajor: minorPerMajor(t.currency),
    dualControlCash: sup.dualControlCash,
    loadMasterKey: (components) => {
      const info = d.keyStore.importComponents(MASTER_KEY_NAME, { usage: 'K0', algorithm: 'tdes', components });
      return { name: info.name, kcv: info.kcv };
    },
    idleLogoutMs: sup.idleLogoutMs,
  });
  return { panel, operators };
}
