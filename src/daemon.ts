#!/usr/bin/env node
// routerd: loads the configuration and licence from the data directory, starts the consoles
// (stdio and/or serial ports) and the router that turns configuration into tunnels.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { License } from './config/license.js';
import type { Router, StartRouter } from './config/router-contract.js';
import { MemoryRuntime, switchableRuntime } from './config/runtime.js';
import { ConfigStore } from './config/store.js';
import { VENDOR_PUBLIC_KEY } from './config/vendor-key.js';
import { licenseSerial, softwareIdFrom } from './config/license.js';
import { ConsoleSession, type ConsoleDeps } from './console/session.js';
import { SerialConsole } from './console/serial.js';
import { LoginThrottle } from './console/login-throttle.js';
import { applyDefaultConfiguration } from './cli/default-configuration.js';
import { LogBook } from './log.js';
import { WallClock } from './wall-clock.js';
import { setSystemClock } from './system/set-clock.js';
import { ActiveUsers } from './remote/active-users.js';
import { dataFileReader, dataFileWriter } from './remote/data-files.js';
import { DATA_PLANE_KINDS, isDataPlaneKind } from './dataplane/factory.js';
import { effectiveCapabilities } from './system/capabilities.js';
import { boardSerial, ethernetPorts, readResources, resourceRecord } from './system/resources.js';
import { Firmware } from './system/firmware.js';
import { firmwareView } from './system/firmware-view.js';
import { powerCommand } from './system/power-command.js';
import { CrashRecorder } from './crash-report.js';

const HELP = `usage: routerd [options]

  --data DIR         configuration (config.json) and licence (license.key) directory
                     (default ./data; the board image uses /data)
  --console WHERE    "stdio" for this terminal, or a serial device such as /dev/ttyS1;
                     may be given more than once (default stdio)
  --baud N           serial speed, 8N1 (default 115200)
  --identity NAME    router name until one is set with /system identity (default MikroTik)
  --ethernet LIST    comma-separated links to list as /interface ethernet (default: the
                     hardware NICs; for network namespaces and VMs whose ports are veth/virtio)
  --vendor-key FILE  check licence keys against this Ed25519 public key instead of the
                     vendor's (test labs)
  --dataplane KIND   packet path: "native" (C, off the JavaScript thread; the default
                     where the addon has it) or "reference" (TypeScript, the test oracle)
  --power-command PATH
                     run "PATH reboot" / "PATH poweroff" for /system reboot and
                     /system shutdown (the image's /usr/lib/router/power); without it
                     they answer "failure: not available on this system"
  --default-configuration
                     apply /system default-configuration when DIR holds no configuration
                     yet (the board image's first boot; without it a new router starts empty)
  --set-system-clock also set the host's clock when the NTP client or /system clock set
                     moves the router's (the board image: the Pi has no real-time clock);
                     without it the router keeps its own clock offset and never touches
                     the host's
  --test-crash-after MS
                     throw an uncaught exception MS milliseconds after start (tests of
                     the crash report; only whoever starts routerd can give it)
  -h, --help         this text

Log in as admin with an empty password, then set one: /user set admin password=...`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: './data' },
      console: { type: 'string', multiple: true },
      baud: { type: 'string', default: '115200' },
      identity: { type: 'string', default: 'MikroTik' },
      ethernet: { type: 'string' },
      'vendor-key': { type: 'string' },
      dataplane: { type: 'string' },
      'default-configuration': { type: 'boolean' },
      'power-command': { type: 'string' },
      'set-system-clock': { type: 'boolean' },
      'test-crash-after': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const baud = Number(values.baud);
  if (!Number.isInteger(baud) || baud <= 0) throw new Error(`--baud: not a speed: ${values.baud}`);
  const dataplane = values.dataplane;
  if (dataplane !== undefined && !isDataPlaneKind(dataplane)) {
    throw new Error(`--dataplane: "${dataplane}" is not one of ${DATA_PLANE_KINDS.join(', ')}`);
  }
  const consoles = values.console ?? ['stdio'];
  const crashAfter = values['test-crash-after'] === undefined ? undefined : Number(values['test-crash-after']);
  if (crashAfter !== undefined && !(Number.isInteger(crashAfter) && crashAfter >= 0)) throw new Error(`--test-crash-after: not a number of milliseconds: ${values['test-crash-after']}`);
  const dataDir = resolve(values.data!);
  mkdirSync(dataDir, { recursive: true });
  // From here on a fatal error leaves a report in DATA/crash/ (systemd restarts routerd).
  const crashes = new CrashRecorder(dataDir);
  crashes.install();

  // The log is stamped by the clock, and the clock's errors go to the log.
  const clock = new WallClock(values['set-system-clock'] ? setSystemClock : undefined, (m) => book.logger('system').error(`system clock not set: ${m}`));
  const book = new LogBook(1000, () => clock.now());
  const log = book.logger('system');
  if (!consoles.includes('stdio')) {
    book.subscribe((e) => process.stderr.write(`${e.time.toISOString()} ${e.topics.join(',')} ${e.message}\n`));
  }

  const notices: string[] = [];
  const previousRun = crashes.start();
  if (previousRun) {
    log.critical(previousRun);
    notices.push(previousRun);
  }
  const firstBoot = values['default-configuration'] === true && !existsSync(join(dataDir, 'config.json'));
  const store = new ConfigStore(dataDir);
  const loaded = store.load({ settingsDefaults: { '/system identity': { name: values.identity! } } });
  if (loaded.notice) {
    log.critical(loaded.notice);
    notices.push(loaded.notice);
  }
  const model = loaded.model;
  if (model.migrated) log.info('console passwords were stored in plain text: replaced by scrypt hashes');
  store.attach(model, (e) => log.error(`configuration not saved: ${e.message}`));

  const serial = await boardSerial();
  if (serial === undefined) log.info('no board serial number readable: the licence is bound to the board id on the data partition');
  const vendorKey = values['vendor-key'] ? readFileSync(values['vendor-key'], 'utf8') : VENDOR_PUBLIC_KEY;
  const license = new License({ dir: dataDir, softwareId: softwareIdFrom(licenseSerial(serial, dataDir)), publicKey: vendorKey });
  // The A/B system slots (only on the image: the initrd leaves /run/ab/env).
  const firmware = Firmware.forImage(vendorKey);
  const booted = firmware.boot();
  for (const n of firmware.notices()) {
    log.info(n);
    notices.push(n);
  }
  const refused = license.load();
  if (refused) {
    log.error(refused);
    notices.push(refused);
  }

  // ---- the consoles open first, then the router (src/router, issue 5) starts --------------
  // Login: does not wait for the router (issue 18): a login that passes waits for it instead
  // (ConsoleDeps.ready), so every command meets a running router. Until then the consoles'
  // run-time state is the host's Ethernet ports.
  const ethernet = values.ethernet?.split(',').filter((n) => n !== '');
  const memory = new MemoryRuntime();
  memory.ports = await ethernetPorts(ethernet);
  const runtime = switchableRuntime(memory);
  model.syncHardware(memory.ports);
  // Before the router starts, so it starts on the defaults as on any later boot.
  if (firstBoot) for (const line of await applyDefaultConfiguration(model, memory, book)) log.info(line);
  let routerUp: () => void = () => {};
  const deps: ConsoleDeps = {
    model,
    runtime: runtime.runtime,
    log: book,
    license,
    resources: { facts: async () => resourceRecord(await readResources(dataDir), booted?.version) },
    ...(booted ? { firmware: firmwareView(firmware, dataDir, async () => serial) } : {}),
    notices,
    clock,
    loginThrottle: new LoginThrottle(),
    activeUsers: new ActiveUsers(),
    readFile: dataFileReader(dataDir),
    writeFile: dataFileWriter(dataDir),
    ...(values['power-command'] ? { power: powerCommand(resolve(values['power-command'])) } : {}),
    ready: new Promise<void>((done) => (routerUp = done)),
  };
  const serials: SerialConsole[] = [];
  // Set once started: a console can end (stdin closed) and shut down before then.
  let services: { stop(): Promise<void> } | undefined;
  let router: Router | undefined;
  let stopping = false;
  // Before anything slow starts: a SIGTERM while SSH and the API load is a proper stop too.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  for (const where of consoles) {
    if (where === 'stdio') {
      const session = new ConsoleSession(deps, {
        input: process.stdin,
        output: process.stdout,
        terminal: !!process.stdin.isTTY,
        name: 'stdio',
      }, () => void shutdown('stdin closed'));
      session.start();
    } else {
      const serial = new SerialConsole(deps, { path: where, baudRate: baud });
      await serial.start();
      serials.push(serial);
    }
  }
  router = await startRouter({ model, license, log: book, ethernet, dataDir, clock, ...(dataplane === undefined ? {} : { dataplane }) });
  if (router) {
    runtime.use(router.runtime);
    model.syncHardware(router.runtime.ethernetPorts());
  } else log.warning('tunnels are not running (the router is missing or failed to start): configuration only');
  routerUp();
  // SSH, API and api-ssl as /ip service says (issue 17); loaded after the consoles are up, so
  // ssh2 and the TLS code never delay the first Login: prompt.
  const { ManagementServices } = await import('./remote/services.js');
  if (!stopping) {
    const started = new ManagementServices({ ...deps, loginThrottle: deps.loginThrottle!, activeUsers: deps.activeUsers!, dataDir });
    services = started;
    await started.start();
  }
  const caps = effectiveCapabilities();
  const confinement = caps === undefined ? 'unknown' : caps.length > 8 ? `${caps.length}, unconfined` : caps.join(',') || 'none';
  log.info(`routerd started, data in ${dataDir}, capabilities: ${confinement}`);
  // Console up and configuration loaded: a trial boot of a new system slot is good (ab-confirm).
  firmware.markHealthy();
  if (crashAfter !== undefined) {
    setTimeout(() => {
      throw new Error(`test hook: --test-crash-after ${crashAfter}`);
    }, crashAfter);
  }

  async function shutdown(why: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info(`stopping: ${why}`);
    await Promise.all(serials.map((s) => s.stop()));
    await services?.stop();
    await router?.stop();
    crashes.stopped();
    process.exit(0);
  }
}

/** Loads src/router when it is part of the build; undefined when it is not there yet. */
async function startRouter(deps: Parameters<StartRouter>[0]): Promise<Router | undefined> {
  let mod: { startRouter?: StartRouter };
  try {
    mod = (await import(new URL('./router/index.js', import.meta.url).href)) as { startRouter?: StartRouter };
  } catch (e) {
    const err = e as { code?: string; message: string };
    if (err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes('router/index.js')) return undefined;
    // The router is there but cannot load (a missing native addon): keep the console usable.
    deps.log.logger('system').error(`router failed to load: ${err.message}`);
    return undefined;
  }
  if (typeof mod.startRouter !== 'function') return undefined;
  try {
    return await mod.startRouter(deps);
  } catch (e) {
    // No raw GRE socket or TUN without root, say: the console still lets the operator look.
    deps.log.logger('system').error(`router failed to start: ${(e as Error).message}`);
    return undefined;
  }
}

main().catch((e: Error) => {
  process.stderr.write(`routerd: ${e.message}\n`);
  process.exit(1);
});
