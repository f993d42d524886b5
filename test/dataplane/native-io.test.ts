import t from 'tap';
import { ipv4ToNumber, numberToIpv4, openTun } from '../../src/dataplane/native-io.js';
import { loadNativeAddon } from '../../src/native.js';

t.test('the addon exports the TUN device and GRE socket classes', async (t) => {
  const addon = loadNativeAddon();
  t.type(addon.TunDevice, 'function');
  t.type(addon.GreSocket, 'function');
  t.ok((addon.modules as string[]).includes('net.tun') && (addon.modules as string[]).includes('net.gre'));
});

t.test('a TUN name longer than the kernel allows is refused before anything is created', async (t) => {
  t.throws(() => openTun('a-name-too-long-for-linux', () => {}), RangeError);
});

t.test('IPv4 addresses convert to the host-order numbers the native socket takes, and back', async (t) => {
  t.equal(ipv4ToNumber('198.18.0.1'), 0xc6120001);
  t.equal(numberToIpv4(0xc6120001), '198.18.0.1');
  t.equal(numberToIpv4(ipv4ToNumber('255.255.255.255')), '255.255.255.255');
  t.throws(() => ipv4ToNumber('1.2.3'));
  t.throws(() => ipv4ToNumber('1.2.3.256'));
});
