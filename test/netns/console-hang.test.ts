// Issue 12's freeze, performed: with a tunnel carrying pings, `(a+)+$` against a 35-character
// name is typed at the server's stdio console and at its serial console (a pty). Both consoles
// answer and the pings keep coming back through the tunnel.
import t from 'tap';
import { twoRouters } from '../lib/routers.js';
import { ptyPair } from '../lib/pty.js';

const NAME = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!';
const QUERY = '/ppp secret print where name~"(a+)+$"';

t.test('the (a+)+$ query at the stdio and the serial console while a tunnel pings across', async (t) => {
  const pty = await ptyPair(t);
  const term = await pty.openTerminal();
  const { server, client } = await twoRouters(t, { subnet: '198.18.46', server: { serialConsoles: [pty.routerSide] } });
  const srv = server.routerd;
  await srv.configure('/ppp secret add name=ex password=lkjrht local-address=10.0.46.1 remote-address=10.0.46.2');
  await srv.configure('/interface pptp-server server set enabled=yes');
  await client.routerd.configure('/interface pptp-client add connect-to=198.18.46.1 user=ex password=lkjrht disabled=no');
  await client.routerd.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 30_000);

  // Pings through the tunnel from the client's namespace, every 0.2 s, each reply time-stamped.
  const replies: number[] = [];
  const pinger = client.ns.spawn('ping', ['-n', '-i', '0.2', '-W', '1', '10.0.46.1']);
  pinger.stdout!.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (/bytes from 10\.0\.46\.1/.test(line)) replies.push(Date.now());
  });
  t.teardown(() => void pinger.kill('SIGINT'));
  const repliesAfter = async (since: number, n: number, what: string): Promise<void> => {
    const end = Date.now() + 15_000;
    while (replies.filter((r) => r > since).length < n) {
      if (Date.now() > end) throw new Error(`no ${n} ping replies ${what} (got ${replies.filter((r) => r > since).length})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await repliesAfter(0, 3, 'before the query');
  t.pass('pings cross the tunnel');

  // The stdio console: the two lines.
  await srv.configure(`/ppp secret add name=${NAME} password=x`);
  const typedAt = Date.now();
  const out = await srv.command(QUERY, 10_000);
  t.notMatch(out, /aaaa/, 'the stdio console answers: no row matches');
  t.match(out, /NAME/, 'with the listing header');
  t.match(await srv.command('/system identity print', 10_000), /name: Server/, 'and takes the next command');
  await repliesAfter(typedAt, 5, 'after the stdio query');
  t.pass('pings keep coming back after the stdio query');

  // The serial console: log in and type the same query.
  await term.waitFor(/Login: $/);
  term.type('admin\r');
  await term.waitFor(/Password: $/);
  term.type('\r');
  await term.waitFor(/\[admin@Server\] > $/);
  term.clearScreen();
  const serialAt = Date.now();
  term.type(QUERY + '\r');
  await term.waitFor(/NAME[^]*\r\n\[admin@Server\] > $/, 10_000);
  t.notMatch(term.screen().split(QUERY)[1] ?? '', /aaaa/, 'the serial console answers: no row matches');
  term.clearScreen();
  term.type('/ppp secret find where name~"^a+!$"\r');
  await term.waitFor(/\r\n1\r\n\[admin@Server\] > $/, 10_000);
  t.pass('and takes the next command, which finds the row');
  await repliesAfter(serialAt, 5, 'after the serial query');
  t.pass('pings keep coming back after the serial query');
});
