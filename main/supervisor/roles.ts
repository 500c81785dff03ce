/**
 * Branch-staff roles and what each may do (separation of duties):
 *  - custodian: cash (replenishment, totals, balancing) and taking the ATM in/out of service;
 *  - technician: devices (status, test commands), journal viewer, receipt reprints, key status (check values);
 *  - admin: operator accounts and keys; may view cash and confirm a custodian's cash change (dual control),
 *    but never changes cash counts itself.
 */
export const ROLES = ['custodian', 'technician', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  | 'cash.view'
  | 'cash.change'
  /** The second operator of a dual-controlled cash count change. */
  | 'cash.confirm'
  | 'service'
  | 'devices'
  | 'journal'
  | 'keys.view'
  /** Loading a key by components; the second component comes from a second operator with the same permission. */
  | 'keys.load'
  | 'operators';

const GRANTS: Record<Role, readonly Permission[]> = {
  custodian: ['cash.view', 'cash.change', 'cash.confirm', 'service'],
  technician: ['devices', 'journal', 'keys.view', 'service'],
  admin: ['cash.view', 'cash.confirm', 'keys.view', 'keys.load', 'operators', 'journal', 'service'],
};

export function can(role: Role, p: Permission): boolean {
  return GRANTS[role].includes(p);
}

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}
