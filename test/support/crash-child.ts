/**
 * Child process for the crash test: starts a kiosk on a given data directory and runs one cash withdrawal,
 * killing itself with SIGKILL (no cleanup, like a power cut) at the requested point:
 *   <journal kind>  right after that journal entry is committed
 *   pick:<n>        inside the dispenser, after n notes were picked (simulated power loss)
 * Exit code 0 means the kill point was never reached.
 */
import { card, select, sim, startTestKiosk, typePin, waitForScreen } from './kiosk-harness';

const [dataDir, killAt] = process.argv.slice(2);
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
const c = card('visa-debit');
await waitForScreen(k, 'welcome');
sim(k, { type: 'insertCard', cardId: c.id });
await waitForScreen(k, 'enterPin');
typePin(k, c.pin);
await waitForScreen(k, 'menu');
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
