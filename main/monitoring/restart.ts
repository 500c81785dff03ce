/**
 * The remote "restart app" command for a real process: the kiosk stops cleanly (journal and databases closed)
 * and the process exits with EXIT_RESTART_REQUESTED (75), which the watchdog (main/ops/watchdog.ts) restarts like
 * any exit other than 78, and which the systemd units restart as a failure. Refused when nothing would start the
 * process again (browser mode run by hand).
 */
import { isSupervised } from '../ops/heartbeat';
import { EXIT_RESTART_REQUESTED, type RestartControl } from './server';

export function processRestartControl(stop: () => Promise<void>, env: NodeJS.ProcessEnv = process.env): RestartControl {
  return {
    // The watchdog's IPC channel, or a systemd unit (INVOCATION_ID) whose Restart= policy starts it again.
    supervised: () => isSupervised() || Boolean(env.INVOCATION_ID),
    restart: () => {
      // A stop that hangs must not keep the old process alive: exit anyway after 10 s.
      setTimeout(() => process.exit(EXIT_RESTART_REQUESTED), 10_000).unref();
      void stop()
        .catch(() => undefined)
        .finally(() => process.exit(EXIT_RESTART_REQUESTED));
    },
  };
}
