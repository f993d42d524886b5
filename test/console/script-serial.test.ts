// Issue 12 §2 at a real serial console (a pty pair): a script pasted over several lines, Ctrl-C
// dropping a half-pasted one, print interval= stopped by a key that is not echoed, `?` after
// `prop=` and after `print`, and Tab's trailing space on a word that is a menu and a command.
import t from 'tap';
import { loggedInSerialConsole } from '../lib/pty.js';
import { makeRouter } from '../cli/harness.js';

t.test('? after prop= lists the values, after print the options; Tab completes once', async (t) => {
  const r = makeRouter();
  await r.type('/ppp profile add name=vpn');
  t.same(r.shell.help('/ppp secret add service=p'), ['service -- service the user may connect with (any | async | l2tp | ovpn | pppoe | pptp | sstp)', '  pppoe', '  pptp']);
  t.match(r.shell.help('/ppp secret add profile=').join('\n'), /^profile -- PPP profile \(name\)\n  default\n  default-encryption\n  vpn$/, 'a reference lists the items');
  t.same(r.shell.help('/interface pptp-client add allow=pap,').slice(1), ['  chap', '  mschap1', '  mschap2'], 'a set: the elements not given yet');
  const print = r.shell.help('/ppp secret print ');
  t.equal(print[0], 'print -- print the items of this menu');
  for (const o of ['detail', 'terse', 'count-only', 'as-value', 'from', 'interval', 'file', 'where', 'without-paging']) t.ok(print.some((l) => l.startsWith(`  ${o} `)), o);
  t.notOk(print.some((l) => l.startsWith('  stats ')), 'no stats where the menu has none');
  t.ok(r.shell.help('/interface print ').some((l) => l.startsWith('  stats ')), '/interface print has stats');
  t.match(r.shell.help('/ppp secret add service=pptp ').join('\n'), /^ {2}name +-- user name/, 'after a space: the properties again');
  t.same(r.shell.complete('/too'), [['/tool'], '/too'], 'a menu that is also a command is one candidate');
});

t.test('scripts, print interval= and ? over a pty', async (t) => {
  const { model, term } = await loggedInSerialConsole(t, 'Scr');
  term.type('/ppp secret add name=alice password=a; /ppp secret add name=bob password=b\r');
  await term.waitFor(/password=b\r\n\[admin@Scr\] > $/);

  term.clearScreen();
  term.type(':foreach i in=[/ppp secret find] do={\r');
  await term.waitFor(/\{\.\.\. $/);
  term.type(':put ("user " . [/ppp secret get $i name])\r');
  await term.waitFor(/\{\.\.\. $/);
  term.type('}\r');
  await term.waitFor(/user alice\r\nuser bob\r\n\[admin@Scr\] > $/);
  t.pass('a script pasted over three lines ran once its brace closed');

  term.clearScreen();
  term.type(':foreach i in=[/ppp secret find] do={\r');
  await term.waitFor(/\{\.\.\. $/);
  term.type('/ppp secret remove $i\x03');
  await term.waitFor(/\^C\r\n\[admin@Scr\] > $/);
  term.type(':put [:len [/ppp secret find]]\r');
  await term.waitFor(/\r\n2\r\n\[admin@Scr\] > $/);
  t.pass('Ctrl-C dropped the half-pasted script: nothing was removed');

  term.clearScreen();
  term.type('/ppp secret print interval=200ms\r');
  await term.waitFor(/bob[^]*\x1b\[\d+A\x1b\[J[^]*bob/);
  term.type('q');
  await term.waitFor(/\[admin@Scr\] > $/);
  const shown = term.screen();
  t.notMatch(shown.slice(shown.lastIndexOf('\n')), /q/, 'the key that stopped it is not echoed');
  term.type('/ppp secret print count-only\r');
  await term.waitFor(/count-only\r\n2\r\n\[admin@Scr\] > $/);
  t.pass('the next command runs alone');

  term.clearScreen();
  term.type('/ppp secret add service=pp?');
  await term.waitFor(/service -- [^\n]*\r?\n {2}pppoe\r?\n {2}pptp\r?\n\[admin@Scr\] > \/ppp secret add service=pp$/);
  t.pass('? after prop= lists the matching values and keeps the line');
  term.type('\x15');
});
