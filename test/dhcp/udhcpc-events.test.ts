// The WAN DHCP client's event reports (busybox udhcpc's script output) read as leases.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { DhcpEventReader, parseDhcpEvent, UDHCPC_SCRIPT } from '../../src/system/udhcpc-events.js';

t.test('bound and renew carry the lease; deconfig, leasefail and nak end it', async (t) => {
  const r = new DhcpEventReader();
  const text = 'udhcpc: started\n@event bound\n@ip 198.18.18.120\n@subnet 255.255.255.0\n@router 198.18.18.1 198.18.18.2\n@dns 198.18.18.1 198.18.18.3\n@ntp \n@lease 600\n@server 198.18.18.1\n@end\n';
  // Fed in pieces, as a pipe delivers it.
  t.same(r.feed(text.slice(0, 40)), []);
  t.same(r.feed(text.slice(40)), [{
    kind: 'lease',
    lease: { address: '198.18.18.120/24', gateway: '198.18.18.1', dns: ['198.18.18.1', '198.18.18.3'], ntp: [], leaseSeconds: 600, server: '198.18.18.1' },
  }]);
  t.same(r.feed('@event deconfig\n@ip \n@end\n@event leasefail\n@end\n'), [{ kind: 'none', why: 'deconfig' }, { kind: 'none', why: 'leasefail' }]);
  t.equal(parseDhcpEvent({ event: 'bound', ip: '198.18.18.120', subnet: '255.0.255.0' }), undefined, 'a mask that is not a prefix');
  t.equal(parseDhcpEvent({ event: 'bound', ip: 'x', subnet: '255.255.255.0' }), undefined);
  t.equal(parseDhcpEvent({ event: 'bound', ip: '10.0.0.2', subnet: '255.255.255.252' })?.kind, 'lease');
  t.equal(parseDhcpEvent({ event: 'renew', ip: '10.0.0.2', subnet: '255.255.255.252', router: '' }).lease?.gateway, undefined);
  t.equal(parseDhcpEvent({ event: 'something' }), undefined);
});

t.test('the script reports what udhcpc puts in its environment', async (t) => {
  const run = spawnSync('sh', ['-c', UDHCPC_SCRIPT, 'script', 'bound'], {
    env: { ip: '198.18.18.120', subnet: '255.255.255.0', router: '198.18.18.1', dns: '198.18.18.1', ntpsrv: '198.18.18.5', lease: '600', serverid: '198.18.18.1' },
    encoding: 'utf8',
  });
  const events = new DhcpEventReader().feed(run.stdout);
  t.equal(events.length, 1);
  t.same(events[0], {
    kind: 'lease',
    lease: { address: '198.18.18.120/24', gateway: '198.18.18.1', dns: ['198.18.18.1'], ntp: ['198.18.18.5'], leaseSeconds: 600, server: '198.18.18.1' },
  });
});
