/**
 * Composition root of the kiosk core. Runs under plain Node (headless, browser mode, tests) and inside the
 * Electron main process alike. Builds: database + journal, devices (simulated by default), the embedded
 * host simulator (when host.mode = embedded), the ISO 8583 host link, the ATM machine, and the UI hub.
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { createActor, type Actor } from 'xstate';
import type { KioskConfig } from '../config/config';
import { openDatabase, type Db } from '../../journals/database';
import { Journal } from '../../journals/journal';
import { rotateJournal } from '../../journals/journal-export';
import { TransactionStore } from '../../journals/transactions';
import { ReversalQueue } from '../../journals/reversal-queue';
import { CardReaderSimulator } from '../../devices/simulators/card-reader-sim';
import { DispenserSimulator } from '../../devices/simulators/dispenser-sim';
import { PinPadSimulator, PinPadKeyError, type PinBlockEncryptor } from '../../devices/simulators/pinpad-sim';
import { PrinterSimulator } from '../../devices/simulators/printer-sim';
import { SensorsSimulator } from '../../devices/simulators/sensors-sim';
import { QrReaderSimulator } from '../../devices/simulators/qr-reader-sim';
import { KeyStore } from '../crypto/key-store';
import { ISO87A, ISO87B } from '../host/iso8583';
import { IsoClient } from '../host/channel/iso-client';
import type { Framing } from '../host/channel/framing';
import { HostLink } from '../host/host-link';
import { buildNetworkRequest } from '../host/messages';
import { DEFAULT_PROFILE } from '../host/profile';
import { terminalConfig } from '../emv/terminal-config';
import { HostSimulator } from '../host-sim/host-simulator';
import { shareSimulatedMacKeys } from '../host-sim/simulated-keys';
import { createAtmMachine, type AtmMachine } from '../machine/atm-machine';
import { SessionServices } from '../machine/session-services';
import { recoverUnfinished, type RecoveryReport } from './recovery';
import { Simulators } from './simulators';
import { openHardware, type OpenHardwareOptions } from './device-factory';
import { Xfs4IotEndpoint } from '../../devices/xfs4iot/endpoint';
import { cardReaderAdapter } from '../../devices/xfs4iot/card-reader-adapter';
import { dispenserAdapter } from '../../devices/xfs4iot/dispenser-adapter';
import { pinPadAdapter } from '../../devices/xfs4iot/pinpad-adapter';
import { printerAdapter } from '../../devices/xfs4iot/printer-adapter';
import type { CardReaderService } from '../../devices/card-reader/types';
import type { DispenserService } from '../../devices/dispenser/types';
import type { PrinterService } from '../../devices/printer/types';
import { collectStatus, type KioskDevices, type KioskStatus } from './status';
import { UiHub } from './ui-hub';
import { MASTER_KEY_NAME, createSupervisor, type BranchStaffPanel } from '../supervisor';
import type { OperatorStore } from '../supervisor/operator-store';
import { startMonitoring, type MonitoringService } from '../monitoring/service';
import { processRestartControl } from '../monitoring/restart';
import type { MonitoringLog, RestartControl } from '../monitoring/server';
import { minorPerMajor } from '../common/money';

/** Test keys of the simulated EPP and embedded host (never used with a real host). */
export const SIM_PVK = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
export const SIM_DECIMALIZATION = '0123456789012345';
export const PIN_KEY_NAME = 'PIN.ZPK';
/** The PIN pad's message MAC key (config host.mac), and the embedded host's key-block protection key. */
export const MAC_KEY_NAME = 'MAC';
const SIM_KBPK_NAME = 'SIM.KBPK';

export interface KioskOptions {
  config: KioskConfig;
  /** Overrides config.dataDir. */
  dataDir?: string;
  /** Overrides the timers (tests). */
  timers?: Partial<{ screenTimeoutMs: number; moreTimeMs: number; cardTakeMs: number; cashTakeMs: number; messageMs: number; receiptTakeMs: number; outOfServiceRetryMs: number }>;
  /** Real serial/HID devices: start-up wait and reconnection back-off (tests shorten them). */
  hardware?: Pick<OpenHardwareOptions, 'startupWaitMs' | 'backoff'>;
  /** Remote monitoring's "restart app" (default: stop, then exit 75 for the watchdog to restart). */
  restartControl?: RestartControl;
  /** Where remote monitoring logs refused requests, commands and broker trouble (e.g. the ops pino logger). */
  monitoringLog?: MonitoringLog;
}

export interface Kiosk {
  config: KioskConfig;
  actor: Actor<AtmMachine>;
  ui: UiHub;
  sims: Simulators;
  hostSim: HostSimulator | null;
  host: HostLink;
  db: Db;
  journal: Journal;
  txns: TransactionStore;
  reversals: ReversalQueue;
  recovery: Promise<RecoveryReport | null>;
  devices: KioskDevices;
  /** The XFS4IoT endpoint publishing this kiosk's devices, when config.xfs4iot.publish is on. */
  xfs4iot: Xfs4IotEndpoint | null;
  /** The branch-staff panel shown in supervisor mode, and its operator accounts. */
  supervisor: BranchStaffPanel;
  operators: OperatorStore;
  /** The simulated EPP's key store (names and check values for key status; no key material leaves it). */
  keyStore: KeyStore;
  /** Remote monitoring (API, metrics, MQTT; main/monitoring/) when config.monitoring.enabled and it started. */
  monitoring: MonitoringService | null;
  status(): KioskStatus;
  /** Operator/remote command: out of service (after the current customer) or back in service. */
  setServiceMode(mode: 'in' | 'out', by: string): void;
  stop(): Promise<void>;
}

/**
 * The simulated EPP's key store: AES-GCM sealed in dataDir/devices under a random secret kept beside it (a real
 * EPP keeps both in tamper-responsive hardware). A store that fails authentication is discarded (as a tamper
 * response would zeroize it) and the kiosk starts with an empty one.
 */
function openSimulatedEppKeys(dir: string): { store: KeyStore; reset: boolean } {
  const secretPath = join(dir, 'epp-secret');
  const keysPath = join(dir, 'epp-keys.json');
  if (!existsSync(secretPath)) writeFileSync(secretPath, randomBytes(32).toString('hex'), { mode: 0o600 });
  const secret = readFileSync(secretPath, 'utf8').trim();
  try {
    return { store: KeyStore.open({ path: keysPath, secret, allowClearImport: true }), reset: false };
  } catch {
    unlinkSync(keysPath);
    return { store: KeyStore.open({ path: keysPath, secret, allowClearImport: true }), reset: true };
  }
}

/** The simulated EPP's crypto module: its key store (the test TDES PIN key), format 0/1/3 blocks. */
function simulatedEpp(keys: KeyStore): PinBlockEncryptor {
  return {
    encryptPin({ keyName, format, pin, pan }) {
      if (!keys.has(keyName)) throw new PinPadKeyError('keyNotFound', `key ${keyName} not loaded`);
      if (format !== 0 && format !== 1 && format !== 3) throw new PinPadKeyError('formatNotSupported', `format ${format} needs an AES key`);
      return keys.encryptPin(keyName, { format, pin, pan });
    },
    keyCount: () => (keys.zeroized ? 0 : keys.list().length),
  };
}

export async function startKiosk(opts: KioskOptions): Promise<Kiosk> {
  const config = opts.config;
  const dataDir = opts.dataDir ?? config.dataDir;
  mkdirSync(join(dataDir, 'devices'), { recursive: true });
  const db = openDatabase(join(dataDir, 'kiosk.db'));
  const journal = new Journal(db, config.terminal.id);
  const txns = new TransactionStore(db, journal);
  const reversals = new ReversalQueue(db);
  const sim = config.simulator;
  const timeScale = sim.timeScale;

  const cardReaderSim = new CardReaderSimulator({ timeScale, statePath: join(dataDir, 'devices', 'card-reader.json'), retainBinCapacity: sim.retainBinCapacity });
  const dispenserSim = new DispenserSimulator({ timeScale, statePath: join(dataDir, 'devices', 'dispenser.json'), currency: config.terminal.currency, cassettes: sim.cassettes });
  const { store: keyStore, reset: keyStoreReset } = openSimulatedEppKeys(join(dataDir, 'devices'));
  // The test PIN key comes from the configuration at every start; keys loaded by staff (TMK) persist.
  keyStore.importClear(PIN_KEY_NAME, { usage: 'P0', algorithm: 'tdes', key: Buffer.from(config.pinpad.testPinKey, 'hex'), requireParity: false });
  const pinpad = new PinPadSimulator(simulatedEpp(keyStore));
  const printerSim = new PrinterSimulator({ timeScale, statePath: join(dataDir, 'devices', 'printer.json'), paperLength: sim.paperLength });
  const sensors = new SensorsSimulator();
  const qrReader = new QrReaderSimulator();
  const sims = new Simulators(cardReaderSim, dispenserSim, pinpad, printerSim, sensors, { currency: config.terminal.currency, locale: config.terminal.locale }, qrReader);
  if (config.journal.retentionDays > 0) {
    const before = new Date(Date.now() - config.journal.retentionDays * 86_400_000).toISOString();
    rotateJournal(db, journal, before, join(dataDir, 'journal-archive', `journal-before-${before.slice(0, 10)}.jsonl`));
  }
  // Real adapters where the configuration names them; simulators for the rest.
  // Real devices reconnect on their own after USB/serial loss; each transition is journaled.
  const hardware = await openHardware(config, dataDir, {
    ...opts.hardware,
    onDeviceChange: (device, online, detail) => journal.append(online ? 'device.online' : 'device.offline', online ? { device } : { device, detail }),
  });
  const cardReader: CardReaderService = hardware.cardReader ?? cardReaderSim;
  const dispenser: DispenserService = hardware.dispenser ?? dispenserSim;
  const printer: PrinterService = hardware.printer ?? printerSim;
  journal.append('kiosk.start', {
    terminal: config.terminal.id,
    host: config.host.mode,
    devices: { cardReader: config.devices.cardReader.kind, dispenser: config.devices.dispenser.kind, printer: config.devices.printer.kind },
    dispenserStateReset: hardware.dispenser ? false : dispenserSim.stateWasReset,
    eppKeyStoreReset: keyStoreReset,
  });

  const framing: Framing = { length: config.host.framing };
  let hostSim: HostSimulator | null = null;
  let hostPort = config.host.port;
  const macAlg = config.host.mac === 'none' ? null : config.host.mac;
  if (config.host.mode === 'embedded') {
    const mac = macAlg ? shareSimulatedMacKeys(keyStore, macAlg, { macKey: MAC_KEY_NAME, kbpk: SIM_KBPK_NAME }) : undefined;
    hostSim = new HostSimulator({
      ...(mac ? { mac } : {}),
      dbPath: join(dataDir, 'host-sim.db'),
      port: config.host.port,
      packager: config.host.packager,
      framing,
      latencyMs: config.host.latencyMs,
      keys: { zpk: Buffer.from(config.pinpad.testPinKey, 'hex'), pvk: SIM_PVK, decimalizationTable: SIM_DECIMALIZATION },
      currencyNumeric: config.terminal.currencyNumeric,
      cardSecret: createHash('sha256').update(`host-sim:${config.terminal.id}`).digest(),
    });
    hostPort = await hostSim.listen();
    sims.host = hostSim;
  }

  const identity = {
    terminalId: config.terminal.id,
    acceptorId: config.terminal.acceptorId,
    location: config.terminal.location,
    acquirerId: config.terminal.acquirerId,
    currencyNumeric: config.terminal.currencyNumeric,
  };
  let echoStan = 0;
  const client = new IsoClient({
    host: config.host.address,
    port: hostPort,
    packager: config.host.packager === 'iso87b' ? ISO87B : ISO87A,
    framing,
    requestTimeoutMs: config.host.requestTimeoutMs,
    reconnect: { initialMs: 500, maxMs: 30_000 },
    echo: { intervalMs: config.host.echoIntervalMs, build: () => buildNetworkRequest('301', String(900000 + (echoStan++ % 100000)).padStart(6, '0'), new Date(), identity) },
  });
  const host = new HostLink({
    requester: client,
    db,
    journal,
    reversals,
    identity,
    profile: DEFAULT_PROFILE,
    requestTimeoutMs: config.host.requestTimeoutMs,
    liveness: { offlineAfterTimeouts: config.host.offlineAfterTimeouts, echoIntervalMs: config.host.offlineEchoIntervalMs },
    ...(macAlg ? { mac: { alg: macAlg, keyName: MAC_KEY_NAME, keyStore }, keyExchange: { kbpkName: hostSim ? SIM_KBPK_NAME : MASTER_KEY_NAME } } : {}),
  });

  const services = new SessionServices({
    config,
    profile: DEFAULT_PROFILE,
    cardReader,
    dispenser,
    pinpad,
    printer,
    sensors,
    qrReader,
    host,
    journal,
    txns,
    now: () => new Date(),
    pinKeyName: PIN_KEY_NAME,
    emvTerminal: terminalConfig({
      countryCode: config.terminal.countryNumeric.padStart(4, '0'),
      currencyCode: config.terminal.currencyNumeric.padStart(4, '0'),
      ifdSerial: config.terminal.id.padEnd(8, ' ').slice(0, 8),
    }),
  });

  let resolveRecovery!: (r: RecoveryReport | null) => void;
  const recovery = new Promise<RecoveryReport | null>((r) => (resolveRecovery = r));
  let recovered = false;
  const t = config.timers;
  const noteMultiple = sim.cassettes.reduce((g, c) => gcd(g, c.denomination), 0);
  const transfers = { enabled: config.terminal.transfers, maxAmount: config.terminal.maxTransfer };
  // Chip application choice: the kernel waits on this prompt while the machine shows the choices.
  let appChoiceResolve: ((aid: string | undefined) => void) | null = null;
  services.appChoice = (apps) =>
    new Promise((resolve) => {
      appChoiceResolve = resolve;
      actor.send({ type: 'APP_CHOICE', apps });
    });
  const machine = createAtmMachine({
    onAppChosen: (aid) => {
      const r = appChoiceResolve;
      appChoiceResolve = null;
      r?.(aid);
    },
    services,
    timers: {
      screenTimeoutMs: t.screenTimeoutMs,
      moreTimeMs: t.moreTimeMs,
      cardTakeMs: t.cardTakeMs,
      cashTakeMs: t.cashTakeMs,
      messageMs: t.messageMs,
      receiptTakeMs: 20_000,
      outOfServiceRetryMs: 10_000,
      ...opts.timers,
    },
    fastCash: config.terminal.fastCash,
    minPin: config.pinpad.minPinLength,
    maxPin: config.pinpad.maxPinLength,
    noteMultiple,
    minorPerMajor: minorPerMajor(config.terminal.currency),
    captureCards: true,
    languages: config.terminal.languages,
    cardless: config.cardless,
    transfers,
    cashNotTaken: config.terminal.cashNotTaken,
    startup: async () => {
      if (!recovered) {
        recovered = true;
        try {
          resolveRecovery(await recoverUnfinished({ txns, journal, dispenser, host, profile: DEFAULT_PROFILE }));
        } catch (e) {
          journal.append('recovery.failed', { error: e instanceof Error ? e.name : 'error' });
          resolveRecovery(null);
          return false;
        }
      }
      if (sensors.state().operatorSwitch === 'supervisor' || sensors.state().safeDoor === 'open') return false;
      if (!(await host.waitConnected(5_000))) return false;
      const signedOn = await host.signOn();
      // A failed key exchange is journaled; the current MAC key stays in use.
      if (signedOn && macAlg && config.host.keyExchange) await host.keyExchange();
      return signedOn;
    },
  });
  const actor = createActor(machine);
  const ui = new UiHub(
    actor,
    {
      locale: config.terminal.locale,
      currency: config.terminal.currency,
      fastCash: config.terminal.fastCash,
      languages: config.terminal.languages,
      cardless: { qr: config.cardless.qr, oneTimeCode: config.cardless.oneTimeCode },
      transfers,
      now: () => Date.now(),
      timers: t,
    },
    journal,
    sims,
  );

  // Device events -> machine events (the fascia never talks to the machine directly).
  pinpad.events.on('key', (k) => {
    if (k.kind === 'pinDigit') actor.send({ type: 'PIN_DIGITS', length: k.length });
    else if (k.kind === 'dataDigit') actor.send({ type: 'DATA_DIGIT', digit: k.digit });
    else ui.handleFunctionKey(k.key);
  });
  cardReader.events.on('mediaRemoved', () => actor.send({ type: 'CARD_TAKEN' }));
  dispenser.events.on('itemsTaken', () => actor.send({ type: 'CASH_TAKEN' }));
  printer.events.on('mediaTaken', () => actor.send({ type: 'RECEIPT_TAKEN' }));
  // The operator switch, or the safe door opened, takes the ATM into supervisor mode (between customers).
  sensors.events.on('changed', (s) => actor.send({ type: 'SUPERVISOR', on: s.operatorSwitch === 'supervisor' || s.safeDoor === 'open' }));
  // (not after stop(): the link reports offline while it shuts down)
  const running = () => actor.getSnapshot().status === 'active';
  host.on('online', () => running() && actor.send({ type: 'HOST_ONLINE' }));
  host.on('offline', () => running() && actor.send({ type: 'HOST_OFFLINE' }));

  // Faults configured in the file (simulator profile): applied before the first customer.
  for (const [device, fault] of Object.entries(sim.faults)) {
    if (fault && fault !== 'none') {
      const r = sims.apply({ type: 'fault', device: device as 'cardReader', fault });
      if (!r.ok) throw new Error(`simulator.faults.${device}: ${r.error}`);
    }
  }

  const xfs4iot = config.xfs4iot.publish
    ? await Xfs4IotEndpoint.start({
        services: [cardReaderAdapter(cardReader), dispenserAdapter(dispenser), pinPadAdapter(pinpad), printerAdapter(printer)],
        port: config.xfs4iot.port,
      })
    : null;

  const setServiceMode = (mode: 'in' | 'out', by: string) => {
    journal.append('service.mode', { mode, by });
    actor.send({ type: 'SERVICE_MODE', mode });
  };
  const { panel: supervisor, operators } = await createSupervisor({
    config,
    db,
    journal,
    txns,
    devices: { cardReader, dispenser, pinpad, printer, sensors },
    keyStore,
    pinKeyName: PIN_KEY_NAME,
    setServiceMode,
    serviceMode: () => (actor.getSnapshot().context.forcedOut ? 'out' : 'in'),
  });
  ui.attachSupervisor(supervisor);

  client.start();
  host.start();
  // Staff who turned the operator switch (or opened the safe door) before or during start-up: SUPERVISOR events
  // sent while the machine was starting were not taken, and it ends its start out of service (or in service, if
  // the switch moved after the check). Enter supervisor mode from there instead of retrying start-up forever.
  actor.subscribe((snap) => {
    const st = sensors.state();
    if ((snap.matches('outOfService') || snap.matches({ inService: 'idle' })) && (st.operatorSwitch === 'supervisor' || st.safeDoor === 'open')) actor.send({ type: 'SUPERVISOR', on: true });
  });
  actor.start();

  const kiosk: Kiosk = {
    config,
    actor,
    ui,
    sims,
    hostSim,
    host,
    db,
    journal,
    txns,
    reversals,
    recovery,
    devices: { cardReader, dispenser, pinpad, printer, sensors },
    xfs4iot,
    supervisor,
    operators,
    keyStore,
    status: () => collectStatus(config.terminal.id, actor.getSnapshot(), { cardReader, dispenser, pinpad, printer, sensors }, host.isOnline(), reversals.depth()),
    setServiceMode,
    monitoring: null,
    async stop() {
      await kiosk.monitoring?.close();
      await supervisor.shutdown();
      actor.stop();
      ui.dispose();
      host.stop();
      client.stop();
      cardReader.cancel();
      await xfs4iot?.close();
      await hardware.close();
      pinpad.cancel();
      if (hostSim) await hostSim.close();
      db.close();
    },
  };
  if (config.monitoring.enabled) {
    // Monitoring must not keep the ATM from serving customers: a failure (port taken, unreadable certificate) is
    // journaled and reported, and the kiosk runs without it.
    try {
      kiosk.monitoring = await startMonitoring({ kiosk, config: config.monitoring, dataDir, restart: opts.restartControl ?? processRestartControl(() => kiosk.stop()), ...(opts.monitoringLog ? { log: opts.monitoringLog } : {}) });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      journal.append('monitoring.failed', { error: error.slice(0, 300) });
      console.error(`monitoring: not started: ${error}`);
    }
  }
  return kiosk;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
