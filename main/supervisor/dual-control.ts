/**
 * Dual control (four eyes): an action prepared by one operator takes effect only after a second, different
 * operator holding the confirming permission logs in on the same terminal. The second login goes through the
 * operator store (failures count towards that operator's lockout). Every attempt is journaled with both ids.
 */
import type { Journal } from '../../journals/journal';
import type { Operator, OperatorStore } from './operator-store';
import { can, type Permission } from './roles';

export type DualControlResult =
  | { ok: true; second: Operator }
  | { ok: false; reason: 'sameOperator' | 'notPermitted' | 'mustChangePassword' | 'refused' | 'locked' | 'disabled' };

/** Catalogue keys for the refusals (screens). */
export const DUAL_CONTROL_MESSAGES: Record<Exclude<DualControlResult, { ok: true }>['reason'], string> = {
  sameOperator: 'sup.dualSameOperator',
  notPermitted: 'sup.dualNotPermitted',
  mustChangePassword: 'sup.dualMustChange',
  refused: 'sup.loginRefused',
  locked: 'sup.operatorLocked',
  disabled: 'sup.operatorDisabled',
};

export class DualControl {
  constructor(
    private readonly store: OperatorStore,
    private readonly journal: Journal,
  ) {}

  /** The second operator's login for `action` prepared by `first`. */
  async confirm(action: string, first: Operator, secondId: string, secondPassword: string, needs: Permission): Promise<DualControlResult> {
    const refuse = (reason: Exclude<DualControlResult, { ok: true }>['reason'], second: string | null): DualControlResult => {
      this.journal.append('supervisor.dualControl', { action, first: first.operatorId, second, result: reason });
      return { ok: false, reason };
    };
    // Checked before the password, so the first operator cannot use this screen to probe their own password.
    if (secondId === first.operatorId) return refuse('sameOperator', secondId);
    const auth = await this.store.authenticate(secondId, secondPassword);
    if (!auth.ok) return refuse(auth.reason, this.store.get(secondId) ? secondId : null);
    if (auth.operator.mustChange) return refuse('mustChangePassword', secondId);
    if (!can(auth.operator.role, needs)) return refuse('notPermitted', secondId);
    this.journal.append('supervisor.dualControl', { action, first: first.operatorId, second: secondId, role: auth.operator.role, result: 'confirmed' });
    return { ok: true, second: auth.operator };
  }
}
