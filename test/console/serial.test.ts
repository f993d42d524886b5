// The serial console end to end over a real pty pair made by socat: the router's side is opened
// with the serialport package at 115200 8N1; the test types on the other end like a terminal.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { ConfigModel } from '../../src/config/model.js';
import { MemoryRuntime } from '../../src/config/runtime.js';
import { SerialConsole } from '../../src/console/serial.js';
import { LogBook } from '../../src/log.js';

const waitFor = async (cond: () => boolean, what: string, ms = 10000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

t.test('login, a command and logout over a pty pair', async (t) => {
  const routerSide = `/tmp/routerd-serial-${process.pid}-a`;
  const userSide = `/tmp/routerd-serial-${process.pid}-b`;
  const socat = spawn('socat', [`pty,raw,echo=0,link=${routerSide}`, `pty,raw,echo=0,link=${userSide}`], { stdio: 'ignore' });
  t.teardown(() => socat.kill('SIGTERM'));
  await waitFor(() => existsSync(routerSide) && existsSync(userSide), 'socat ptys');

  const model = new ConfigModel({ settingsDefaults: { '/system identity': { name: 'SerialTest' } } });
  const book = new LogBook();
  const console = new SerialConsole(
    { model, runtime: new MemoryRuntime(), log: book, notices: ['a notice shown at login'] },
    { path: routerSide, baudRate: 115200 },
  );
  // The terminal is attached first, as a person's is before the board boots: what the router
  // writes to a pty whose other end nobody has open yet can be lost (seen once under load).
  const term = new SerialPort({ path: userSide, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => term.open((e) => (e ? rej(e) : res())));
  t.teardown(() => new Promise<void>((res) => (term.isOpen ? term.close(() => res()) : res())));
  let screen = '';
  term.on('data', (d: Buffer) => (screen += d.toString()));

  await console.start();
  t.teardown(() => console.stop());
  const typeKeys = (s: string) => term.write(s);

  await waitFor(() => screen.includes('Login: '), 'Login prompt');
  typeKeys('admin\r');
  await waitFor(() => screen.includes('Password: '), 'Password prompt');
  typeKeys('wrong\r');
  await waitFor(() => screen.includes('Login failed'), 'refused login');
  t.notMatch(screen, /wrong/, 'the password is not echoed');
  screen = '';
  await waitFor(() => screen.includes('Login: ') || true, '');
  typeKeys('admin\r');
  await waitFor(() => screen.includes('Password: '), 'Password prompt');
  typeKeys('\r');
  await waitFor(() => screen.includes('[admin@SerialTest] > '), 'shell prompt');
  t.match(screen, /WARNING: user admin has no password/, 'empty password warned about');
  t.match(screen, /NOTICE: a notice shown at login/);
  t.match(screen, /\r\n/, 'lines end with CR LF on the serial line');

  typeKeys('/ppp secret add name=ex password=lkjrht local-address=10.0.103.1 remote-address=10.0.103.2\r');
  await waitFor(() => model.rows('/ppp secret').length === 1, 'secret added');
  screen = '';
  typeKeys('/ppp secret print detail\r');
  await waitFor(() => screen.includes('routes=""'), 'print output');
  t.match(screen, / 0  name="ex" service=any caller-id="" password="lkjrht" profile=default\r\n/);
  t.match(screen, /ppp secret print detail\r\n/, 'typed keys are echoed');

  screen = '';
  typeKeys('/interface pptp-cl\t');
  await waitFor(() => screen.includes('pptp-client'), 'tab completion');

  typeKeys('\r');
  screen = '';
  // The Enter that submits /ping must not be taken as the key that stops it.
  typeKeys('/ping 127.0.0.1 count=2\r');
  await waitFor(() => screen.includes('packet loss'), 'ping summary');
  t.match(screen, /2 packets transmitted, 2 packets received, 0% packet loss/, 'ping runs to its count');
  t.notMatch(screen, /ping interrupted/);

  typeKeys('quit\r');
  await waitFor(() => screen.includes('Login: '), 'back at Login after quit');
  t.ok(book.list().some((e) => /user admin logged out from serial/.test(e.message)), 'logout logged');
});
