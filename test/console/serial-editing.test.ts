// The line editor on a real serial line (a pty pair): Ctrl-C drops a half-typed command so the
// next one runs alone, cursor keys edit mid-line, history recalls, and Tab and ? still work.
import t from 'tap';
import { loggedInSerialConsole } from '../lib/pty.js';

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
