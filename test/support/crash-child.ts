/**
 * Child process for the crash test: starts a kiosk on a given data directory and runs one cash withdrawal
 * (or, with a third argument `transfer`, a 40.00 transfer from checking to savings), killing itself with SIGKILL
 * (no cleanup, like a power cut) at the requested point:
 *   <journal kind>  right after that journal entry is committed
 *   pick:<n>        inside the dispenser, after n notes were picked (simulated power loss)
 *   host.moved      transfer only: the host has moved the money but its answer is still on the way
 * Exit code 0 means the kill point was never reached.
 */
import { select, sim, startTestKiosk, toMenu, typePin, waitForScreen } from './kiosk-harness';

const [dataDir, killAt, flow = 'withdrawal'] = process.argv.slice(2);
if (!dataDir || !killAt) {
  console.error('usage: crash-child <dataDir> <killAt>');
  process.exit(2);
}

const k = await startTestKiosk({}, { cardTakeMs: 60_000, cashTakeMs: 60_000, screenTimeoutMs: 60_000 }, dataDir);
if (killAt.startsWith('pick:')) {
  sim(k, { type: 'fault', device: 'dispenser', fault: `powerLossAfterNotes:${killAt.slice(5)}` });
} else {
  k.journal.onAppend((e) => {
    // After the surrounding SQLite transaction commits, before any further device step runs.
    if (e.kind === killAt) queueMicrotask(() => process.kill(process.pid, 'SIGKILL'));
  });
}
const c = await toMenu(k, 'visa-debit');
if (flow === 'transfer') {
  select(k, 'transfer');
  await waitForScreen(k, 'transferAccounts');
  select(k, 'xfer:checking:savings');
  await waitForScreen(k, 'transferAmount');
  typePin(k, '40');
  await waitForScreen(k, 'transferConfirm');
  if (killAt === 'host.moved') {
    // The host applies the transfer, then holds its answer: the power goes while the answer is on the way.
    const savings = k.hostSim!.bank.savingsOfPan(c.pan);
    sim(k, { type: 'fault', device: 'host', fault: 'delay' });
    const poll = setInterval(() => {
      if (k.hostSim!.bank.savingsOfPan(c.pan) !== savings) process.kill(process.pid, 'SIGKILL');
    }, 2);
    poll.unref();
  }
  select(k, 'confirm');
  await waitForScreen(k, 'transferDone', 30_000);
  select(k, 'done');
  await waitForScreen(k, 'takeCard');
  for (let i = 0; i < 200 && k.sims.cardReader.cardInReader()?.position !== 'gate'; i++) await new Promise((r) => setTimeout(r, 5));
  sim(k, { type: 'takeCard' });
  await waitForScreen(k, 'welcome');
  await k.stop();
  process.exit(0);
}
select(k, 'withdrawal');
await waitForScreen(k, 'amount');
select(k, 'fast:6000');
await waitForScreen(k, 'receiptQuestion');
select(k, 'receiptNo');
await waitForScreen(k, 'takeCard');
for (let i = 0; i < 200 && k.sims.cardReader.cardInReader()?.position !== 'gate'; i++) await new Promise((r) => setTimeout(r, 5));
sim(k, { type: 'takeCard' });
await waitForScreen(k, 'takeCash');
// The customer reaches for the notes only once they are out (for the presented kill point, never: the
// journal entry that follows the present is where the power goes).
while (!Object.keys(k.sims.dispenser.presentedNotes()).length || killAt === 'cash.presented') await new Promise((r) => setTimeout(r, 5));
sim(k, { type: 'takeCash' });
await waitForScreen(k, 'welcome');
await k.stop();
process.exit(0);
