// The interop harness: the real Linux PPTP stack (pppd 2.4.9, pptp-linux 1.10, pptpd 1.4 from
// Debian bookworm) in a QEMU guest (TCG: KVM does not work on these machines) attached by a tap
// device to a bridge inside a network namespace the test creates.
//
//   const net = await createInteropNet(t);                      // namespace + bridge, 198.18.40.1/24
//   const server = await bootGuest(t, net, {
//     name: 'srv', address: net.guestAddress(2),
//     role: { kind: 'pptpd', users: [{ name: 'ex', password: 'lkjrht' }], localIp: '10.0.0.1',
//             remoteIp: '10.0.0.2-20', pppdOptions: ['require-mschap-v2', 'require-mppe-128'] },
//   });                                                         // resolves when pptpd listens
//   await server.exec('ip -4 addr show');                        // shell on a virtio serial port
//   server.log();  server.waitForLog(/MPPE 128-bit/);  server.waitForExit('pppd');
//   await server.shutdown();                                     // pppd/pptpd stopped, poweroff
//
// The guest is told what to be by an extra cpio appended to the cached initrd (guest-role.ts);
// it reports on its console (ttyS0, QEMU's stdout) through syslogd: the lines of pppd, pptp and
// pptpd, and the harness's own "@@" messages of tag "guest" (READY, IP-UP, IP-DOWN, EXIT, ERROR). Every guest is killed by its PID and its temporary
// files removed at t.teardown, also when the test fails; the namespace goes with createNetns.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, uniqueName, type Netns, type TeardownHost } from '../lib/netns.js';
import { renderGuestFiles, type GuestSetup } from './guest-role.js';
import { appendArchive, newcArchive } from './newc.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface GuestImage {
  readonly dir: string;
  readonly kernel: string;
  readonly initrd: string;
}

let imagePromise: Promise<GuestImage> | undefined;

/**
 * The cached guest kernel and initrd, built by build-guest.sh first if the cache is missing or
 * stale (about a minute, once). Rejects with the build's output if the build fails: a missing
 * guest is an error, never a reason to skip.
 */
export function ensureGuestImage(): Promise<GuestImage> {
  imagePromise ??= new Promise<GuestImage>((resolve, reject) => {
    const child = spawn('bash', [join(here, 'build-guest.sh')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const dir = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || dir === '') {
        reject(new Error(`build-guest.sh failed (exit ${code}):\n${err.slice(-4000)}`));
        return;
      }
      resolve({ dir, kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img') });
    });
  });
  return imagePromise;
}

/** A bridge in a fresh namespace; guests hang off it by tap devices, the test's own code runs in the namespace. */
export interface InteropNet {
  readonly ns: Netns;
  readonly bridge: string;
  /** The namespace's own address on the bridge, e.g. "198.18.40.1". */
  readonly hostAddress: string;
  /** "198.18.<subnet>.<n>/24": the address to give guest number n (2..254). */
  guestAddress(n: number): string;
}

/** Creates namespace "ipx-<pid>-<n>" with bridge and address 198.18.<subnet>.1/24; deleted at teardown. */
export async function createInteropNet(t: TeardownHost, subnet = 40): Promise<InteropNet> {
  const ns = await createNetns(t, 'ipx');
  const bridge = uniqueName('ibr');
  const hostAddress = `198.18.${subnet}.1`;
  await ns.run(['ip', 'link', 'add', bridge, 'type', 'bridge', 'forward_delay', '0']);
  await ns.run(['ip', 'addr', 'add', `${hostAddress}/24`, 'dev', bridge]);
  await ns.run(['ip', 'link', 'set', bridge, 'up']);
  // A bridge loses its carrier when its last port does (a guest killed), and then the kernel
  // swaps in a qdisc that drops everything, before any capture sees it. A veth pair as a port
  // keeps the carrier (this kernel has no dummy driver), so what our side goes on sending to a
  // dead guest is still on the wire.
  const keeper = uniqueName('ikp');
  await ns.run(['ip', 'link', 'add', keeper, 'type', 'veth', 'peer', 'name', `${keeper}b`]);
  await ns.run(['ip', 'link', 'set', keeper, 'master', bridge]);
  await ns.run(['ip', 'link', 'set', keeper, 'up']);
  await ns.run(['ip', 'link', 'set', `${keeper}b`, 'up']);
  return {
    ns,
    bridge,
    hostAddress,
    guestAddress: (n: number) => {
      if (!Number.isInteger(n) || n < 2 || n > 254) throw new Error(`guest number ${n} outside 2..254`);
      return `198.18.${subnet}.${n}/24`;
    },
  };
}

/** One line of the guest's syslog, as busybox syslogd writes it. */
export interface SyslogLine {
  /** "pppd", "pptp", "pptpd", "pptpctrl", "kernel", ... (the tag before "[pid]:"). */
  readonly program: string;
  readonly pid: number | undefined;
  /** "daemon.debug", "daemon.notice", ... */
  readonly priority: string;
  readonly message: string;
}

export interface GuestExit {
  /** Exit status (pppd's EXIT STATUS codes, see pppd(8): 0 ok, 19 authentication failed, ...). */
  readonly status: number;
  /** For pppd under pptpd: the client's address (ipparam); "-" for the client role. */
  readonly detail: string;
}

export interface IpUp {
  readonly iface: string;
  readonly local: string;
  readonly remote: string;
  readonly ipparam: string;
}

export interface ExecResult {
  readonly code: number;
  readonly output: string;
}

export interface BootOptions {
  /** Guest memory; default 256 MiB. */
  readonly memoryMb?: number;
  /** How long to wait for "@@READY"; default 90 s (TCG on a busy 2-core machine). */
  readonly bootTimeoutMs?: number;
}

const SYSLOG = /^\w{3} [ \d]\d \d\d:\d\d:\d\d (\S+) (\w+\.\w+) ([^:[\s]+)(?:\[(\d+)\])?: (.*)$/;

class Waiter {
  constructor(
    readonly test: (console: string) => RegExpMatchArray | null,
    readonly resolve: (m: RegExpMatchArray) => void,
    readonly reject: (e: Error) => void,
    readonly timer: NodeJS.Timeout,
  ) {}
}

export class Guest {
  private consoleText = '';
  private readonly waiters = new Set<Waiter>();
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitPromise: Promise<void>;
  private shell: Socket | undefined;
  private shellBuffer = '';
  private shellQueue: Promise<unknown> = Promise.resolve();
  private commandCounter = 0;
  private destroyed = false;

  constructor(
    readonly setup: GuestSetup,
    readonly net: InteropNet,
    /** The tap device of this guest on the bridge (capture here to see only its traffic). */
    readonly tap: string,
    private readonly qemu: ChildProcess,
    private readonly dir: string,
    private readonly shellPath: string,
  ) {
    qemu.stdout!.on('data', (d: Buffer) => this.onConsole(d.toString('latin1')));
    qemu.stderr!.on('data', (d: Buffer) => this.onConsole(d.toString('latin1')));
    this.exitPromise = new Promise((resolve) => {
      qemu.on('exit', (code, signal) => {
        this.exited = { code, signal };
        for (const w of this.waiters) {
          clearTimeout(w.timer);
          w.reject(new Error(`guest ${this.setup.name} exited (${signal ?? code}) while waiting\n${this.consoleTail()}`));
        }
        this.waiters.clear();
        resolve();
      });
    });
  }

  get name(): string {
    return this.setup.name;
  }

  /** The guest's eth0 address without prefix length. */
  get address(): string {
    return this.setup.address.split('/')[0]!;
  }

  /** QEMU's PID. */
  get pid(): number | undefined {
    return this.qemu.pid;
  }

  get running(): boolean {
    return this.exited === undefined;
  }

  /** Everything the guest wrote on its console so far (kernel, init, syslog). */
  get console(): string {
    return this.consoleText;
  }

  /** The syslog lines so far (pppd with `debug` logs every packet it sends and receives). */
  log(): SyslogLine[] {
    const out: SyslogLine[] = [];
    for (const line of this.consoleText.split('\n')) {
      const m = SYSLOG.exec(line);
      if (m) out.push({ priority: m[2]!, program: m[3]!, pid: m[4] === undefined ? undefined : Number(m[4]), message: m[5]! });
    }
    return out;
  }

  /** The syslog messages of one program (or all), one per line, for t.match and failure output. */
  logText(program?: string): string {
    return this.log()
      .filter((l) => program === undefined || l.program === program)
      .map((l) => `${l.program}: ${l.message}`)
      .join('\n');
  }

  /** The last lines of the console, for error messages. */
  consoleTail(lines = 40): string {
    return this.consoleText.split('\n').slice(-lines).join('\n');
  }

  private onConsole(text: string): void {
    this.consoleText += text.replace(/\r/g, '');
    for (const w of [...this.waiters]) {
      const m = w.test(this.consoleText);
      if (m) {
        this.waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(m);
      }
    }
  }

  /**
   * Waits until the console (from character `from` on, default 0) matches re. Rejects after
   * timeoutMs or when the guest exits, with the console's tail in the message.
   */
  waitForConsole(re: RegExp, timeoutMs = 30_000, from = 0): Promise<RegExpMatchArray> {
    const test = (text: string): RegExpMatchArray | null => re.exec(text.slice(from));
    const now = test(this.consoleText);
    if (now) return Promise.resolve(now);
    if (!this.running) return Promise.reject(new Error(`guest ${this.name} is not running\n${this.consoleTail()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`guest ${this.name}: no ${re} on the console within ${timeoutMs} ms\n${this.consoleTail()}`));
      }, timeoutMs);
      const waiter = new Waiter(test, resolve, reject, timer);
      this.waiters.add(waiter);
    });
  }

  // Every console match below ends at a line break that has arrived: with /m, `$` also matches
  // at the end of a line still being received and cut its last field short ("198.18.41").

  /** Waits for a syslog message (of any program) matching re. */
  async waitForLog(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const source = re.source.replace(/^\^/, '');
    const m = await this.waitForConsole(new RegExp(`^\\w{3} [ \\d]\\d [\\d:]{8} \\S+ \\S+ [^\\n]*?${source}[^\\r\\n]*(?=\\r?\\n)`, 'm'), timeoutMs);
    return m[0];
  }

  /** Waits for "@@EXIT <program> <status> <detail>" (pppd, pptpd), counting from console position `from`. */
  async waitForExit(program: 'pppd' | 'pptpd', timeoutMs = 60_000, from = 0): Promise<GuestExit> {
    const m = await this.waitForConsole(new RegExp(`@@EXIT ${program} (\\d+) (\\S+)\\r?\\n`), timeoutMs, from);
    return { status: Number(m[1]), detail: m[2] ?? '-' };
  }

  /** Waits for pppd's ip-up: the PPP interface has its addresses (IPCP opened). */
  async waitForIpUp(timeoutMs = 60_000, from = 0): Promise<IpUp> {
    const m = await this.waitForConsole(/@@IP-UP (\S+) (\S+) (\S+) (\S+)\r?\n/, timeoutMs, from);
    return { iface: m[1]!, local: m[2]!, remote: m[3]!, ipparam: m[4]! };
  }

  /** Fails if the guest reported an error ("@@ERROR ...": a module, an address, pptpd not starting). */
  errors(): string[] {
    return [...this.consoleText.matchAll(/@@ERROR (.*)$/gm)].map((m) => m[1]!);
  }

  /** Connects to the shell port's socket (QEMU creates it at start and waits for us). */
  async connectShell(timeoutMs = 20_000): Promise<Socket> {
    if (this.shell) return this.shell;
    const end = Date.now() + timeoutMs;
    let socket: Socket | undefined;
    while (!socket) {
      socket = await new Promise<Socket | undefined>((resolve) => {
        const s = createConnection(this.shellPath);
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(undefined));
      });
      if (socket) break;
      if (!this.running || Date.now() > end) throw new Error(`guest ${this.name}: QEMU's shell socket did not open\n${this.consoleTail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    socket.on('data', (d: Buffer) => (this.shellBuffer += d.toString('latin1')));
    socket.on('error', () => {});
    this.shell = socket;
    return socket;
  }

  /**
   * Runs shell text in the guest (busybox sh on the shell port, stdin /dev/null, stderr with stdout) and
   * returns its exit code and output. One command at a time; rejects after timeoutMs.
   */
  exec(command: string, timeoutMs = 30_000): Promise<ExecResult> {
    const run = async (): Promise<ExecResult> => {
      if (!this.running) throw new Error(`guest ${this.name} is not running`);
      const socket = await this.connectShell();
      const id = `${process.pid}-${++this.commandCounter}`;
      const marker = new RegExp(`\\n@@RC-${id}:(\\d+)\\n`);
      this.shellBuffer = '';
      // The marker starts on its own line even if the output lacks a final newline; it is
      // printed by the guest (the input is not echoed), so its text never matches the command.
      socket.write(`(\n${command}\n) </dev/null 2>&1; printf '\\n@@RC-%s:%s\\n' '${id}' "$?"\n`);
      const end = Date.now() + timeoutMs;
      for (;;) {
        const m = marker.exec(this.shellBuffer);
        if (m) {
          const output = this.shellBuffer.slice(0, m.index);
          this.shellBuffer = this.shellBuffer.slice(m.index + m[0].length);
          return { code: Number(m[1]), output };
        }
        if (!this.running) throw new Error(`guest ${this.name} exited during: ${command}`);
        if (Date.now() > end) throw new Error(`guest ${this.name}: no answer within ${timeoutMs} ms to: ${command}\n${this.shellBuffer}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const next = this.shellQueue.then(run, run);
    this.shellQueue = next.catch(() => {});
    return next;
  }

  /** Like exec, but rejects when the command exits non-zero. */
  async run(command: string, timeoutMs = 30_000): Promise<string> {
    const r = await this.exec(command, timeoutMs);
    if (r.code !== 0) throw new Error(`guest ${this.name}: exit ${r.code}: ${command}\n${r.output}`);
    return r.output;
  }

  /**
   * Dials once more (client role): starts guest-dial in the background and returns the console
   * position to pass as `from` to waitForIpUp / waitForExit for this attempt.
   */
  async dial(): Promise<number> {
    if (this.setup.role.kind !== 'pptp') throw new Error(`guest ${this.name} is not a pptp client`);
    const from = this.consoleText.length;
    await this.run('setsid guest-dial </dev/null >/dev/null 2>&1 &');
    await this.waitForConsole(/@@DIAL$/m, 10_000, from);
    return from;
  }

  /** Hangs up every call of this guest: SIGTERM to pppd, which sends LCP Terminate-Request. */
  async hangUp(): Promise<void> {
    await this.exec('killall -TERM pppd');
  }

  /**
   * Ends the guest cleanly: pppd, pptp and pptpd get SIGTERM (LCP Terminate, call cleared),
   * then the guest powers off. Resolves true if QEMU exited by itself within timeoutMs, false
   * if it had to be killed.
   */
  async shutdown(timeoutMs = 20_000): Promise<boolean> {
    if (!this.running) return true;
    const socket = await this.connectShell();
    socket.write('guest-poweroff\n');
    const clean = await Promise.race([
      this.exitPromise.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs)),
    ]);
    if (!clean) await this.kill();
    return clean && this.exited?.code === 0;
  }

  /**
   * Makes the namespace's ARP entry for this guest permanent. Once a guest is killed, its
   * neighbour entry fails within seconds and the kernel drops what is sent to it before it
   * reaches the bridge, so a capture would not show what our side keeps sending to a dead peer.
   */
  async pinNeighbour(): Promise<void> {
    const shown = await this.net.ns.run(['ip', 'neigh', 'show', this.address, 'dev', this.net.bridge]);
    const mac = /lladdr (\S+)/.exec(shown.stdout)?.[1];
    if (!mac) throw new Error(`guest ${this.name}: no neighbour entry for ${this.address}: ${shown.stdout.trim()}`);
    await this.net.ns.run(['ip', 'neigh', 'replace', this.address, 'lladdr', mac, 'dev', this.net.bridge, 'nud', 'permanent']);
  }

  /** Kills QEMU at once (SIGKILL by PID): for the peer-vanishes scenarios, and at teardown. */
  async kill(): Promise<void> {
    if (this.running && this.qemu.pid !== undefined) {
      try {
        process.kill(this.qemu.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await this.exitPromise;
  }

  /** Kills QEMU if still running, removes the tap and the temporary files. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.shell?.destroy();
    await this.kill();
    await this.net.ns.exec(['ip', 'link', 'del', this.tap]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let macCounter = 0;

/**
 * Boots a guest on net's bridge as setup says and waits until it is ready (pptpd listening,
 * the client about to dial, or idle). Killed and cleaned up at t.teardown.
 */
export async function bootGuest(t: TeardownHost, net: InteropNet, setup: GuestSetup, options: BootOptions = {}): Promise<Guest> {
  const image = await ensureGuestImage();
  const dir = mkdtempSync(join(tmpdir(), `interop-${process.pid}-${setup.name}-`));
  const initrd = join(dir, 'initrd.img');
  writeFileSync(initrd, appendArchive(readFileSync(image.initrd), newcArchive(renderGuestFiles(setup))));
  const shellPath = join(dir, 'shell.sock');

  const tap = uniqueName('itp');
  await net.ns.run(['ip', 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  await net.ns.run(['ip', 'link', 'set', tap, 'master', net.bridge]);
  await net.ns.run(['ip', 'link', 'set', tap, 'up']);

  macCounter += 1;
  const mac = `52:54:${((process.pid >> 8) & 0xff).toString(16).padStart(2, '0')}:${(process.pid & 0xff)
    .toString(16)
    .padStart(2, '0')}:${((macCounter >> 8) & 0xff).toString(16).padStart(2, '0')}:${(macCounter & 0xff).toString(16).padStart(2, '0')}`;
  const args = [
    ...['-accel', 'tcg', '-m', String(options.memoryMb ?? 256), '-smp', '1'],
    ...['-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot', '-monitor', 'none'],
    ...['-kernel', image.kernel, '-initrd', initrd],
    // no_timer_check: on a loaded host, TCG runs the guest so slowly that the kernel's IO-APIC
    // timer check fails and it panics at boot ("IO-APIC + timer doesn't work!"), seen once in a run.
    ...['-append', 'console=ttyS0 panic=-1 loglevel=4 no_timer_check'],
    // ttyS0: the console, on QEMU's stdout. The command shell: a virtio serial port on a unix
    // socket; QEMU waits for the harness to connect before it starts the guest (wait=on).
    ...['-serial', 'stdio'],
    ...['-chardev', `socket,id=shell,path=${shellPath},server=on,wait=on`],
    ...['-device', 'virtio-serial-pci', '-device', 'virtserialport,chardev=shell,name=shell'],
    ...['-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`],
    // romfile= : Debian's QEMU has no iPXE ROMs installed, and the guest boots without one.
    ...['-device', `virtio-net-pci,netdev=n0,romfile=,mac=${mac}`],
    ...['-device', 'virtio-rng-pci'],
  ];
  // `ip netns exec` execs QEMU in place, so the child's PID is QEMU's.
  const qemu = spawn('ip', net.ns.wrap(['qemu-system-x86_64', ...args]).slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const guest = new Guest(setup, net, tap, qemu, dir, shellPath);
  t.teardown(() => guest.destroy());
  qemu.on('error', () => {});
  await guest.connectShell();

  await guest.waitForConsole(/@@(READY \w+|ERROR .*)$/m, options.bootTimeoutMs ?? 90_000);
  const errors = guest.errors();
  if (errors.length > 0) throw new Error(`guest ${setup.name} reported: ${errors.join('; ')}\n${guest.consoleTail()}`);
  return guest;
}
