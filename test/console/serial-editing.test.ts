// The line editor on a real serial line (a pty pair): Ctrl-C drops a half-typed command so the
// next one runs alone, cursor keys edit mid-line, history recalls, and Tab and ? still work.
import t from 'tap';
import { loggedInSerialConsole } from '../lib/pty.js';
import { verifyPassword } from '../../src/config/password-hash.js';

t.test('Ctrl-C, cursor keys, history, Tab and ? over a pty', async (t) => {
  const { model, term } = await loggedInSerialConsole(t, 'Edit');

  // A half-typed command, then Ctrl-C, then another command.
  term.clearScreen();
  term.type('/ppp secret add name=glued password=');
  await term.waitFor(/password=$/);
  term.type('\x03');
  await term.waitFor(/password=\^C\r\n\[admin@Edit\] > $/);
  t.pass('the dropped line shows ^C and a fresh prompt follows');
  term.type('/ppp secret add name=fresh password=x\r');
  await term.waitFor(/name=fresh password=x\r\n\[admin@Edit\] > $/);
  t.same(model.rows('/ppp secret').map((r) => [r.values.name, r.values.password]), [['fresh', 'x']], 'only the new command ran');

  // Left arrow, insertion, Home, Ctrl-K, Ctrl-U, Ctrl-W, Delete on the wire.
  term.clearScreen();
  term.type('/ppp secret add name=mid passwrd=y' + '\x1b[D'.repeat(4) + 'o' + '\r');
  await term.waitFor(/\r\n\[admin@Edit\] > $/);
  t.equal(model.rows('/ppp secret').find((r) => r.values.name === 'mid')?.values.password, 'y', 'a key inserted mid-line lands there');
  term.clearScreen();
  term.type('junk' + '\x15' + 'xx /ppp secret add name=k password=z trailing' + '\x17' + '\x01' + '\x1b[3~\x1b[3~\x1b[3~' + '\r');
  await term.waitFor(/\r\n\[admin@Edit\] > $/);
  t.ok(model.rows('/ppp secret').some((r) => r.values.name === 'k' && r.values.password === 'z'), 'Ctrl-U, Ctrl-W, Ctrl-A and Delete');

  // History: up twice recalls the command before last; edit it and run.
  term.clearScreen();
  term.type('\x1b[A\x1b[A');
  await term.waitFor(/name=mid password=y/);
  term.clearScreen();
  term.type('\x17\x17' + 'name=hist password=h\r');
  await term.waitFor(/\r\n\[admin@Edit\] > $/);
  t.ok(model.rows('/ppp secret').some((r) => r.values.name === 'hist'), 'a recalled, edited line runs');

  // Tab completes with a trailing space; ? shows help and keeps the line.
  term.clearScreen();
  term.type('/interface pptp-cl\t');
  await term.waitFor(/\/interface pptp-client $/);
  term.type('?');
  await term.waitFor(/add\s+-- command[^]*\[admin@Edit\] > \/interface pptp-client $/);
  term.type('\x15/ppp secret print count-only\r');
  await term.waitFor(/\r\n\[admin@Edit\] > $/);
  t.notMatch(term.screen(), /bad command|syntax error|expected/, 'the line after help and Ctrl-U ran cleanly');
});

t.test('/password over a pty: three questions, the answers never echoed nor kept in the history', async (t) => {
  const { model, term } = await loggedInSerialConsole(t, 'Pw');
  term.clearScreen();
  term.type('/password\r');
  await term.waitFor(/old-password: $/);
  term.type('\r'); // admin's password is empty
  await term.waitFor(/new-password: $/);
  term.type('Tr1cky-secret\r');
  await term.waitFor(/confirm-new-password: $/);
  term.type('Tr1cky-secret\r');
  await term.waitFor(/confirm-new-password: \r?\n\[admin@Pw\] > $/);
  t.notMatch(term.screen(), /Tr1cky/, 'the new password never showed');
  const hash = String(model.rows('/user').find((u) => u.values.name === 'admin')?.values.password);
  t.equal(await verifyPassword(hash, 'Tr1cky-secret'), true, 'the password changed');
  term.clearScreen();
  term.type('\x1b[A');
  await term.waitFor(/\/password$/);
  t.pass('up recalls /password, not an answer');
  term.type('\x15/password\r');
  await term.waitFor(/old-password: $/);
  term.type('hal');
  term.type('\x03');
  await term.waitFor(/old-password: \r?\n?\[admin@Pw\] > $/);
  t.notMatch(term.screen(), /hal/, 'Ctrl-C drops the question; the half answer never showed');
  term.type('/system identity print\r');
  await term.waitFor(/name: Pw\r\n\[admin@Pw\] > $/);
  t.pass('the console echoes again');
});
