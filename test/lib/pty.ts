// A serial line for console tests: a pty pair made by socat, the router's end at `routerSide`
// (for SerialConsole or `routerd --console PATH`), and a terminal on the other end that types
// keys and records the screen. socat is stopped by its PID at teardown.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { ConfigModel } from '../../src/config/model.js';
import { MemoryRuntime } from '../../src/config/runtime.js';
import { SerialConsole } from '../../src/console/serial.js';
import { LogBook } from '../../src/log.js';
import type { TeardownHost } from './netns.js';

let made = 0;

export interface SerialTerminal {
  /** The pty the router opens. */
  readonly routerSide: string;
  /** Everything received since the terminal opened (or since clearScreen). */
  screen(): string;
  clearScreen(): void;
  type(keys: string): void;
  /** Resolves when the screen matches re; rejects after timeoutMs. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export async function waitUntil(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Makes the pty pair; open the terminal before the router opens its side, so no output is missed. */
export async function ptyPair(t: TeardownHost): Promise<{ routerSide: string; openTerminal: () => Promise<SerialTerminal> }> {
  const base = `/tmp/routerd-pty-${process.pid}-${made++}`;
  const routerSide = `${base}-router`;
  const userSide = `${base}-user`;
  const socat = spawn('socat', [`pty,raw,echo=0,link=${routerSide}`, `pty,raw,echo=0,link=${userSide}`], { stdio: 'ignore' });
  t.teardown(() => void socat.kill('SIGTERM'));
  await waitUntil(() => existsSync(routerSide) && existsSync(userSide), 'socat ptys');
  const openTerminal = async (): Promise<SerialTerminal> => {
    const port = new SerialPort({ path: userSide, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    t.teardown(() => new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res())));
    let text = '';
    port.on('data', (d: Buffer) => (text += d.toString()));
    return {
      routerSide,
      screen: () => text,
      clearScreen: () => void (text = ''),
      type: (keys) => void port.write(keys),
      async waitFor(re, timeoutMs = 10_000) {
        await waitUntil(() => re.test(text), `${re} on the serial line; the screen:\n${text.slice(-2000)}`, timeoutMs);
        return re.exec(text)!;
      },
    };
  };
  return { routerSide, openTerminal };
}

/**
 * A SerialConsole (on a fresh in-memory model whose identity is `identity`) on a pty, with admin
 * (no password) logged in at the terminal: the prompt is on screen when this resolves.
 */
export async function loggedInSerialConsole(t: TeardownHost, identity: string): Promise<{ model: ConfigModel; term: SerialTerminal }> {
  const pty = await ptyPair(t);
  const model = new ConfigModel({ settingsDefaults: { '/system identity': { name: identity } } });
  const serial = new SerialConsole({ model, runtime: new MemoryRuntime(), log: new LogBook(), notices: [] }, { path: pty.routerSide, baudRate: 115200 });
  // The terminal first: the Login prompt must not go out before anyone listens.
  const term = await pty.openTerminal();
  await serial.start();
  t.teardown(() => serial.stop());
  await term.waitFor(/Login: $/);
  term.type('admin\r');
  await term.waitFor(/Password: $/);
  term.type('\r');
  await term.waitFor(new RegExp(`\\[admin@${identity}\\] > $`));
  return { model, term };
}
