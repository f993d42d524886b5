// The start-up log names the daemon's capabilities (issue 19 finding 10): read from CapEff.
import t from 'tap';
import { effectiveCapabilities } from '../../src/system/capabilities.js';

t.test('CapEff bits are named', async (t) => {
  // CAP_NET_BIND_SERVICE (10), CAP_NET_ADMIN (12), CAP_NET_RAW (13): the service unit's set.
  t.same(effectiveCapabilities('Name:\tnode\nCapEff:\t0000000000003400\n'), ['net_bind_service', 'net_admin', 'net_raw']);
  t.same(effectiveCapabilities('CapEff:\t0000000000000000\n'), []);
  t.equal(effectiveCapabilities('CapEff:\t000001ffffffffff\n')!.length, 41, 'full root');
  t.equal(effectiveCapabilities('no such line'), undefined);
  t.ok(Array.isArray(effectiveCapabilities()), 'this process has a readable /proc/self/status');
});
