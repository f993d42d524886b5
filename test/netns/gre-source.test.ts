// GRE leaves from the address the control connection reached. The server's WAN port has two
// addresses in one subnet (a DHCP lease and a static one, as a branch office often has) and the
// client dials the second: the kernel would send GRE from the first, which the client drops as
// another peer's, so the tunnel never came up. Both data planes name the source per packet.
import t from 'tap';
import { pings, twoRouters } from '../lib/routers.js';

for (const plane of ['native', 'reference'] as const) {
  t.test(`the server on the ${plane} path answers from the address the client dialled`, async (t) => {
    const { server, client } = await twoRouters(t, { subnet: '198.18.9', server: { dataplane: plane }, client: { dataplane: plane } });
    await server.routerd.configure('/ip address add address=198.18.9.3/24 interface=ether1');
    await server.routerd.configure('/ppp secret add name=user password=passwd local-address=10.0.0.1 remote-address=10.0.0.2');
    await server.routerd.configure('/interface pptp-server server set enabled=yes');
    const primary = await server.ns.exec(['ip', '-4', 'route', 'get', '198.18.9.2']);
    t.match(primary.stdout, /src 198\.18\.9\.1\b/, 'the kernel would send from the first address');
    await client.routerd.configure('/interface pptp-client add name=out connect-to=198.18.9.3 user=user password=passwd disabled=no');
    const monitor = await client.routerd.poll('/interface pptp-client monitor out once', (o) => /status: "connected"/.test(o), 30_000);
    t.match(monitor, /encoding: "MPPE128 stateless"/, 'the tunnel comes up, encrypted');
    const ping = await pings(client.ns, '10.0.0.1');
    t.ok(ping.ok, `ping through the tunnel\n${ping.output}`);
    t.notMatch(await client.routerd.logText(), /wrong.peer/i, 'the client saw no GRE from a stranger');
  });
}
