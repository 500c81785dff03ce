/**
 * Makes the scrypt hash for `supervisor.firstAdmin.passwordHash`. The password is read from stdin (never from
 * the command line, where `ps` and shell history would see it) and must follow the operator password rules:
 *
 *   node --import tsx main/supervisor/hash-password.ts <operatorId>   # then type the digits and Enter
 */
import { createInterface } from 'node:readline';
import { hashPassword, OPERATOR_ID, passwordProblem } from './operator-store';

async function main(): Promise<number> {
  const operatorId = process.argv[2] ?? '';
  if (!OPERATOR_ID.test(operatorId)) {
    process.stderr.write('usage: hash-password.ts <operatorId (3-8 digits)>  (password on stdin)\n');
    return 64;
  }
  const rl = createInterface({ input: process.stdin, terminal: false });
  const line = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  const password = line.trim();
  const problem = passwordProblem(password, operatorId, { minLength: 8, maxLength: 16 });
  if (problem) {
    process.stderr.write(`password refused (${problem}): 8-16 digits, not one repeated digit, not a run, not containing the operator id\n`);
    return 65;
  }
  process.stdout.write(`${JSON.stringify({ supervisor: { firstAdmin: { operatorId, passwordHash: await hashPassword(password) } } })}\n`);
  return 0;
}

void main().then((code) => process.exit(code));
